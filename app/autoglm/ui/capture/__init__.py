"""Images from the screen and the camera: screenshots, a region overlay, a webcam window, a tray icon.

``CaptureController`` wires them into the main window; every captured image goes through
``ImageIntake`` (the vision normalisation, off the GUI thread) before it reaches the composer.
"""

"""Images for the model: normalisation, data URIs, stand-in projector files (Qt-free).

What the fronts call:

* ``vision.image.load_image_file(path, settings.vision)`` — a file from the CLI, a file
  dialog or a drop; ``vision.image.normalise(data, settings.vision, label)`` — pasted or
  uploaded bytes; ``vision.image.image_from_rgb(w, h, rgb, settings.vision)`` — a
  screenshot or a camera frame; ``vision.image.decode_data_uri(uri, settings.vision)`` —
  an OpenAI ``image_url``. Each returns a ``core.types.ImageInput`` (or raises
  ``InputError`` in one sentence) to put in ``ChatMessage.images``.
* ``vision.image.encode_png`` / ``encode_data_uri`` — the normalised image back as PNG
  (attachments, thumbnails, remote engines).

The engine does the rest: ``core.llama.engine.LlamaEngine`` attaches a
``core.llama.images.VisionSession`` (``engine.vision``) when the model has a projector,
and routes every request with images through it. A front may encode an image as soon as
it is attached, before the user sends it, on the engine thread:
``scheduler.submit_call(lambda: engine.prepare_images([image]))``.
Whether a model can take images at all: ``engine.info.has_vision``, and
``engine.info.vision_unavailable_reason`` to show when it cannot.

Importing this package is cheap: Pillow and llama.cpp load inside the functions that
need them.
"""

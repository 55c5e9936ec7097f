; Inno Setup 6 script for AutoGLM Desktop on Windows.
;
; packaging/build.py runs it after PyInstaller, passing where the bundle is and where the
; installer goes:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\AutoGLM-Desktop-0.1.0-windows-x86_64-lean ^
;        /DOutputDir=dist /DOutputName=AutoGLM-Desktop-0.1.0-windows-x86_64-lean-setup ^
;        [/DIconFile=build\pyinstaller\icons\autoglm.ico] packaging\windows\autoglm.iss
;
; It installs per user by default (no administrator rights needed; an administrator may
; choose all users), adds a Start-menu entry for the windowed "AutoGLM Desktop.exe" and,
; optionally, a desktop icon. The console "autoglm.exe" beside it answers --version,
; --selftest and the other commands. Conversations, settings and models live in the
; user's profile and are kept on uninstall.
;
; Silent install (the release workflow's check, and `autoglm update` on Windows):
;   AutoGLM-Desktop-<ver>-windows-x86_64-lean-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART [/DIR=...]

#ifndef AppVersion
  #error Pass /DAppVersion=<version> (packaging/build.py does)
#endif
#ifndef SourceDir
  #error Pass /DSourceDir=<the PyInstaller bundle folder> (packaging/build.py does)
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif
#ifndef OutputName
  #define OutputName "AutoGLM-Desktop-" + AppVersion + "-setup"
#endif

#define AppName "AutoGLM Desktop"
#define AppExe "AutoGLM Desktop.exe"

[Setup]
AppId={{4E1F3B52-7A0C-4C8B-9E55-2D7B0C6A9F13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=AutoGLM Desktop contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
LicenseFile={#SourcePath}\..\..\LICENSE
OutputDir={#OutputDir}
OutputBaseFilename={#OutputName}
Compression=lzma2/normal
SolidCompression=yes
LZMANumBlockThreads=4
DiskSpanning=no
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
#ifdef IconFile
SetupIconFile={#IconFile}
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

; An upgrade installs over the previous version's folder: PyInstaller's _internal holds
; hundreds of libraries whose names change between versions (a newer Qt or llama.cpp), and
; a stale one left beside the new ones can be loaded instead of them. Deleted before the
; files are copied; settings, conversations and models live in the profile, not here.
[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

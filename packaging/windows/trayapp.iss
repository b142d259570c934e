; Inno Setup 6 script: installs the PyInstaller one-folder bundle (dist\trayapp\) as
; dist\trayapp-<version>-windows-x64-setup.exe. Build on Windows, from the repository root:
;   .venv\Scripts\pyinstaller --noconfirm --clean packaging\trayapp.spec
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\trayapp.iss
; Not built in CI (no Windows runner); see packaging/README.md.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
; Paths are relative to this file.
#define Root "..\.."
#define RunKey "Software\Microsoft\Windows\CurrentVersion\Run"
#define ApprovedKey "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"

[Setup]
; A stable AppId: upgrades replace the installed version instead of installing a second one.
AppId=io.github.trayapp.TrayApp
AppName=trayapp
AppVersion={#AppVersion}
AppPublisher=trayapp developers
; Placeholder project URL, as in the AppStream metainfo.
AppPublisherURL=https://github.com/trayapp/trayapp
DefaultDirName={autopf}\trayapp
DefaultGroupName=trayapp
DisableProgramGroupPage=yes
; Program Files for all users by default (needs admin); the dialog also offers "only for me"
; (%LOCALAPPDATA%\Programs, no admin). Autostart is per user (HKCU) in both cases.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
; The optional login task writes HKCU on purpose: it is the user's own choice.
UsedUserAreasWarning=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#Root}\resources\icons\windows\trayapp.ico
UninstallDisplayIcon={app}\trayapp.exe
OutputDir={#Root}\dist
OutputBaseFilename=trayapp-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running trayapp holds its files open: ask it to close through the Restart Manager (Qt quits
; cleanly on WM_ENDSESSION) on install, upgrade and uninstall.
CloseApplications=force
RestartApplications=no

[Tasks]
Name: "autostart"; Description: "Start trayapp when I log in"; GroupDescription: "Startup:"

[Files]
; The whole one-folder bundle: trayapp.exe and _internal\ (Python, Qt, the app).
Source: "{#Root}\dist\trayapp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\trayapp"; Filename: "{app}\trayapp.exe"; Comment: "Time tracker for Toggl Track and Clockify"

[Registry]
; The same value trayapp's own "Start at login" setting writes (trayapp/platform/autostart.py:
; HKCU Run, value "trayapp", the quoted path of trayapp.exe), so the checkbox in the app's
; settings shows what the installer did, and either can switch it off.
Root: HKCU; Subkey: "{#RunKey}"; ValueType: string; ValueName: "trayapp"; ValueData: """{app}\trayapp.exe"""; Tasks: autostart; Flags: uninsdeletevalue

[Run]
Filename: "{app}\trayapp.exe"; Description: "Start trayapp now"; Flags: nowait postinstall skipifsilent

[Code]
// Uninstall also removes a login entry made later from the app's settings (not only the one
// the installer made), and the "disabled in Task Manager" mark that goes with it.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
  begin
    RegDeleteValue(HKEY_CURRENT_USER, '{#RunKey}', 'trayapp');
    RegDeleteValue(HKEY_CURRENT_USER, '{#ApprovedKey}', 'trayapp');
  end;
end;

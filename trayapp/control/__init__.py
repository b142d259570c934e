"""The use cases, Qt-free: one home for each rule that the tray, hotkeys, windows, the local
socket and the command line share (actions, accounts, the backend's lifecycle)."""

"""Qt widgets: the tray icon and its menu, the settings window, the entry dialog, pickers."""

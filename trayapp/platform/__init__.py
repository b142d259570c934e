"""OS integration: each feature a small interface with backends chosen at run time by
`sys.platform` (hotkeys, idle, autostart, notifications, single instance)."""

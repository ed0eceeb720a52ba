// Placeholder entry point; replaced by the TenantEmulator issue.
print("anchorbridge-emulator: not built yet")

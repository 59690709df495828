"""kinerja-bot: performance management for ASN and citizens' service ratings on Telegram."""

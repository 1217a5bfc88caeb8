"""claimbot: every party's version of contested news, in Discord and on the command line."""

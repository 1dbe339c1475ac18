"""The platform as a whole: the local launcher, the operators' `portal` command, backups,
dead letters, the dev mailbox.

Unlike `runtime` (what every service needs), this package may import the services and the
scripts: it runs them, seeds them and backs them up."""

"""Appointments: test slots per centre, bookings by proctors and by the public, their e-mails.

`rules` (pure: capacity, holds, tokens, reminders), `services` (the ORM; only flush()),
`mail_texts` (the e-mails, in the booking person's language), `views` (proctor and public
pages), `forms`. The SMTP transport is `attest.mail`."""

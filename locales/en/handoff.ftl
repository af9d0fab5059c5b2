# Notifications to the operators' chat of a center. Never any personal data here.
handoff-new-request =
    New request No. { $number }
    Urgency: { $urgency }
    Topics: { $categories }
    Region: { $place }
    Promised to the family: { $promise }
    Open: { $url }
handoff-p0-reminder =
    ⚠️ P0 No. { $number } has still not been taken ({ $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    } since it arrived). Open: { $url }
handoff-overdue-reminder = Request No. { $number } is overdue: the family was promised contact { $promise }. Open: { $url }
handoff-urgency-P0 = P0 — immediate danger
handoff-urgency-P1 = P1 — within 24 hours
handoff-urgency-P2 = P2 — within 3 working days
handoff-urgency-P3 = P3 — information only
handoff-promise-P0 = immediately
handoff-promise-P1 = within 24 hours
handoff-promise-P2 = within 3 working days
handoff-promise-P3 = not required
handoff-take-button = Take it
# Messages to the family from its center (through the bot).
handoff-family-relay = Specialist — { $center }: { $text }
handoff-family-taken = Your request No. { $number } has been taken on — { $center }. They will contact you the way you asked.
handoff-family-closed = Thank you for writing to us. We have closed request No. { $number }. If anything changes or you need support again, just write /start — we are here. If you are in danger, call 112; the helpline 8-800-2000-122 is free and open around the clock.

# Untaken P0 moved along the 24/7 chain (src/requests/escalate-untaken.ts). No personal data.
handoff-p0-moved-in =
    ⚠️ P0 No. { $number } was passed to you: nobody took it in the queue “{ $from }” for { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }. Please take it now. Open: { $url }
handoff-p0-moved-out = Nobody took P0 No. { $number } for { $minutes } min — it was moved to the queue “{ $to }” ({ $center }). Open: { $url }
handoff-p0-moved-admin =
    ⚠️ Region: P0 No. { $number } was not taken for { $minutes } min in the queue “{ $from }” and was moved to “{ $to }” ({ $center }). Please check who is on duty. Open: { $url }

# "Did this help?" after closing (src/requests/help-rating.ts): one optional question, anonymous.
handoff-family-rating-question = Did contacting us help you? Rate it from 1 (not at all) to 5 (helped a lot). Answering is optional and anonymous.
handoff-family-rating-thanks = Thank you! Your answer has been counted — anonymously, without your name or request number.
handoff-family-rating-stale = Thank you! This question has already been answered (or the button is out of date) — nothing more to do. If you need support again, write /start.

# A family added a file to an open request (src/handoff/center-notifications.ts): no name, no content.
handoff-file-added = 📎 The family added a { $kind ->
        [photo] photo
       *[document] document
    } to request No. { $number }. Open: { $url }

# Triage dialog (issue 3). Calm, kind, short: the reader may be frightened and on a phone.

## Greeting, help, commands

greeting =
    Hello. This is Opora — help for families with children going through a difficult time. Free and confidential.

    Our aim is to support you and help keep your family together, not to punish. To be honest: if a child's life or health is in direct danger, the law requires us to tell guardianship services or the police.

    The questions are short. The "Emergency help" button is on every step.
help =
    If there is danger right now, call:
    { $numbers }

    /back — one step back · /cancel — stop · /status — my requests · /revoke — delete my data · /lang — language · /start — start over
stale = That question has already been answered. Here is the current one:
unsupported = Thank you. I can only read text and buttons, so I don't keep files, photos or voice messages. Please answer in text:
not-understood = Thank you for writing. To move on, please answer the question — with a button or the option's number:
bad-empty = The message seems to be empty. Please type your answer.
bad-emoji = I understand this is hard right now. Let's go on — please answer the question:
bad-number = There is no such option. Type a number from 1 to { $count } or press a button.
back-nowhere = This is the first question; there is nothing to go back to.
lang-prompt = Выберите язык / Choose a language:
lang-set = OK, let's continue in English.
revoke-confirm =
    Withdraw your consent to the processing of personal data?

    We will immediately erase your name, phone number, description and messages in all your requests. Specialists will no longer be able to contact you about them.
opt-revoke-yes = Yes, withdraw and erase
opt-revoke-no = No, keep it
revoke-kept = OK, nothing has changed.
resume-prompt = Welcome back. Shall we continue where you left off, or start over?
opt-continue = Continue
opt-restart = Start over
resume-continue = Let's continue.
cancelled = OK, we've stopped. Nothing was sent, and your answers have been forgotten.
cancelled-idle = If you want to reach out again, write here or press "Start over".

## Common options and typed words (comma-separated, lower case)

opt-yes = Yes
opt-no = No
opt-sos = 🆘 Emergency help
opt-skip = Skip
opt-done =
    { $count ->
        [0] Done
       *[other] Done ({ $count } selected)
    }
words-yes = yes, yeah, yep, right, sure, да
words-no = no, nope, нет
words-sos = sos, help me, emergency
words-done = done, next, ready
words-back = back, go back, назад, вернуться
words-cancel = cancel, stop, отмена
words-dont-know = don't know, dont know, other, not listed

## Emergency

sos-message =
    If someone is in danger right now, please call:
    { $numbers }

    These numbers work around the clock. Below is the question we stopped at.
opt-sos-urgent = Urgent: call me back
red-numbers =
    What you wrote sounds very serious. If there is danger right now, please call first:
    { $numbers }
p0-safe-prompt = Are you safe right now? Can you write to me calmly?
opt-p0-safe = I am safe, I can write
opt-p0-unsafe = I am not safe
opt-p0-nodanger = No danger, continue
p0-unsafe =
    If you can, call 112 right now. If you cannot talk, you can send an SMS to 112.
    { $numbers }

    Leave your number and a specialist will contact you as soon as possible.
teen-help =
    Thank you for writing. If you are under 18, the children's helpline is the best place to turn: they will listen, help and tell you what to do.

    📞 8-800-2000-122 or 124 — free, anonymous, around the clock.
    If there is danger right now — 112.

    We will not ask for your name or phone number here.
opt-teen-adult = I am 18 or older

## Categories

cat-prompt = What is happening? Choose with a button or describe it in your own words. (Several topics? Press "Several topics". Page { $page } of { $pages })
cat-violence = Domestic violence / abuse
cat-suicide-crisis = Suicidal thoughts, crisis
cat-child-danger = Child in danger or missing
cat-removal-risk = Child may be taken away
cat-pregnancy-infant = Pregnancy, baby under 4
cat-addiction = Alcohol, drugs, gambling
cat-housing = Housing loss / homelessness
cat-material-need = No money, food or work
cat-disability-care = Child with a disability
cat-family-conflict = Family conflict, divorce
cat-parental-burnout = Parental burnout
cat-teen-law = Teen: running away, police
cat-legal-docs = Documents, custody, alimony
cat-other-info = Other / information
opt-page-more = More topics ▶
opt-page-back = ◀ Previous topics
cat-need-one = Please choose at least one topic, or describe what happened in your own words.
cat-not-understood = Thank you for telling me. I couldn't tell the topic for sure — please choose the matching items from the list.
cat-confirm =
    Did I understand correctly that this is about { $count ->
        [one] this topic:
       *[other] these topics:
    }
    { $list }
opt-cat-confirm-yes = Yes, that's right
opt-cat-confirm-list = Choose from the list
cat-p0-notice =
    If there is danger right now, don't wait — call:
    { $numbers }
cat-info-only = I see. Let me tell you where to turn in your region.

## Follow-ups

danger-now = Is anyone's life or health in danger right now — yours, a child's or someone else's?
age-prompt = One question: are you 18 or older?
opt-age-adult = Yes, I am 18 or older
opt-age-minor = No, I am under 18
check-addiction = Are the children with an adult who is drunk or under the influence right now?
check-housing = Are you and your children without a place to sleep tonight?
check-food = Are the children without food right now?
check-burnout = Are you ever afraid that you might harm your child or yourself?
check-teen = Is the teenager missing or gone from home right now?
flags-prompt = Does any of this apply to your family? It helps us pass your request to those who can help best. Mark what applies and press "Done".
flag-child-under-4 = A child under 4
flag-child-disability = A child with a disability
flag-pregnancy = Pregnancy
flag-large-family = Large family (3+ children)
flag-single-parent = I am raising a child alone
opt-flags-none = None of these

## Region and municipality

region-prompt = Which region do you live in? Type its name (for example "Samara" or "Самара") or the region code (for example 63).
region-choose = Several regions match. Which one is yours?
opt-region-retry = Mine is not here — type again
region-ok = Region: { $region }.
region-none = I couldn't find that region. Try writing it differently: a city ("Smolensk"), a region ("Tyumen") or the code from car number plates (for example 54).
muni-prompt = Where exactly in "{ $region }" do you live? If your town or district is not in the list, press "Other / don't know".
muni-prompt-typed = Type your town or district in "{ $region }". If you don't know, press "Other / don't know".
muni-other-label = Other / don't know
muni-none = I couldn't find that town or district. Try writing it differently or press "Other / don't know".

## Description

description-prompt =
    Briefly describe in your own words what is happening and what help you need — up to { $max } { $max ->
        [one] character
       *[other] characters
    }. You can also write how we should address you.

    Please do not include diagnoses or health details — the specialist will ask what is needed when you talk.
text-truncated =
    Your text was longer than { $max } { $max ->
        [one] character
       *[other] characters
    }, so I kept only the beginning. You can tell the rest to the specialist.

## Consent (its own screen, design.md §4)

# The consent text itself is versioned in src/privacy/consent-texts.ts (shown, hashed and served at /consent).
consent-link = Full text of the consent
opt-consent-give = I give consent
opt-consent-decline = I do not give consent
consent-thanks = Thank you, only a little is left.
consent-declined = That's fine, it is your right. We keep nothing about you. Here is where you can turn yourself:

## Contact details

name-prompt = How should we address you? A first name is enough.
opt-name-skip = I'd rather not say
phone-prompt = Please leave a phone number where a specialist can reach you. Press "Share my number" or type the number in a message.
phone-share = 📱 Share my number
opt-no-phone = No phone — write to me here
phone-confirm = This is the number { $phone }, but it is not your own contact in the messenger. Shall we use it to contact you?
opt-phone-use = Yes, call this number
opt-phone-other = I'll type another number
phone-invalid-too-short = The number is missing digits. Please type the full number, for example +7 999 123-45-67.
phone-invalid-not-a-number = This doesn't look like a phone number. Please type it in digits, for example +7 999 123-45-67.
phone-invalid-invalid = I can't recognise this number. Please check the digits. A Russian number can be written as 8 999 123-45-67; a foreign one with "+" and the country code.
phone-foreign = I saved the foreign number { $phone }. Calls to it may not be possible — if needed, the specialist will write to you here.
contact-not-now = Thank you. I'll ask for a phone number a little later — it isn't needed now, and I haven't kept it.
method-prompt = How would you prefer to be contacted?
opt-method-call = A phone call
opt-method-message = A message in this messenger
time-prompt = When is it convenient? The specialist will try to contact you then.
opt-time-morning = Morning
opt-time-day = Afternoon
opt-time-evening = Evening
opt-time-any = Any time

## Summary and confirmation

summary-title = Please check that everything is right:
summary-categories = • Topic: { $list }
summary-region = • Where: { $region }
summary-description = • Description: { $text }
summary-name = • Name: { $name }
summary-phone = • Phone: { $phone }
summary-contact = • Contact: { $method }, { $time }
summary-check = If everything is right, press "Send". You can change any part.
summary-empty = not given
summary-no-phone = no phone, reply in this chat
opt-submit = ✅ Send
opt-edit-categories = Change topic
opt-edit-region = Change region
opt-edit-description = Change description
opt-edit-name = Change name
opt-edit-phone = Change phone
opt-edit-contact = Change contact method
confirm-created = Your request No. { $number } has been received. Thank you for reaching out — it was an important step.
confirm-center = Your request was passed to: { $center }. The center's phone: { $phone }.
confirm-promise-p2 = A specialist will contact you within 3 working days.
confirm-promise-p3 = A specialist will contact you when they can.
confirm-hours = The center's working hours: { $hours }.
confirm-numbers =
    Emergency numbers:
    { $numbers }
confirm-revoke = To see the state of your request — /status. To withdraw consent and erase your data — /revoke.
done-idle = Your request No. { $number } has already been passed to the specialists. If you need anything else, start over.
done-message-noted = Thank you, your message has been received. If there is danger right now, call 112.
opt-status = My requests

## Information mode

info-only = Here is where you can turn in your region:
info-declined = You can contact the center yourself, without passing your data through us:
info-center =
    { $center }
    Phone: { $phone }
    Working hours: { $hours }
info-no-center = The contacts of your region's center are not available right now — please call the children's helpline 8-800-2000-122, they will advise you.
info-numbers =
    If there is danger right now:
    { $numbers }
opt-reconsider = Changed my mind: I consent
opt-other-topic = Choose another topic

## Hours

hours-24x7 = around the clock
hours-unknown = please ask by phone
day-mon = Mon
day-tue = Tue
day-wed = Wed
day-thu = Thu
day-fri = Fri
day-sat = Sat
day-sun = Sun

## Service outcomes

status-none = You have no requests yet.
status-list =
    { $count ->
        [one] You have { $count } request:
       *[other] You have { $count } requests:
    }
status-line = No. { $number } of { $date } — { $status }
status-new = received, waiting for a specialist
status-in_progress = a specialist is working on it
status-contacted = a specialist has contacted you
status-unreachable = we could not reach you
status-resolved = help provided
status-closed = closed
erase-done =
    Consent withdrawn. { $count ->
        [0] There were no requests with your data — nothing to keep.
        [one] Personal data has been erased from { $count } request.
       *[other] Personal data has been erased from { $count } requests.
    } The erasure has been logged.
escalate-done = We have marked request No. { $number } as urgent and told the specialists.
escalate-none = Your request is already closed. If you need help again, start over.
error-generic = Sorry, something went wrong on our side. Please try again in a minute. If there is danger right now, call 112.

## Console channel

console-intro = Opora console chat. Type your answers; choose options by number. /phone +79991234567 — share a number, /help — help, /quit — exit.
console-share-hint = (to share a number: /phone +79991234567)
console-link = Link

# Confirmation: who contacts the family and by when, in their local time (src/routing/promise.ts)
confirm-overflow = It is outside working hours now ({ $center }), so your request went straight to the 24/7 duty service.
confirm-duty-by = The duty service will contact you { $when } local time: { $center }.
confirm-specialist-by = A specialist will contact you { $when } local time.
confirm-opens = The center opens { $when } local time. A specialist will contact you within 3 working days.
confirm-opens-urgent = The center is closed now, and there is no 24/7 service for your region. The center opens { $when } local time — the specialists will see your request first.
confirm-closed-no-hours = The center is closed now; please check its hours by phone.
confirm-closed-p0 = While the center is closed, only the emergency numbers answer right now — if danger is near, call them.
confirm-now-p0 = If danger is near right now, do not wait for the call: call 112 or the numbers below.
promise-by-today = by { $time }
promise-by-tomorrow = by { $time } tomorrow
promise-by-day = by { $time } ({ $date })
promise-at-today = today at { $time }
promise-at-tomorrow = tomorrow at { $time }
promise-at-day = { $date } at { $time }
promise-on-mon = on Mon
promise-on-tue = on Tue
promise-on-wed = on Wed
promise-on-thu = on Thu
promise-on-fri = on Fri
promise-on-sat = on Sat
promise-on-sun = on Sun

# Emergency never gated; urgency that matches its cause (issue 11)
sos-first =
    If anyone is in danger right now, please call:
    { $numbers }

    These numbers work around the clock.
sos-note =
    If there is danger right now, don't wait — call:
    { $numbers }
edit-noted = I see you edited a message. Edits don't change answers already given — if something needs changing, send a new message or press /back.
urgent-danger-now =
    Thank you for telling me. If you can, call first:
    { $numbers }

    Then just a couple of questions so that a specialist can contact you as soon as possible.
urgent-check-burnout =
    Thank you for being honest. This happens when strength runs out; it is no shame. Your request will be urgent.

    If right now you are afraid for yourself or your child, call:
    { $numbers }
urgent-check-housing =
    I understand. We will pass your request on as urgent so that you get help with a place to stay.

    If right now it is unsafe for you and the children where you are, call:
    { $numbers }
urgent-check-teen =
    If a teenager is missing, tell the police at once: 102, or 112 from a mobile. A report of a missing child is accepted immediately.
    { $numbers }

    We will pass your request on as urgent.

## Consent at the right moment and short re-asks (issue 12.2, 12.4)
consent-short = Consent to pass on your data: your request will go to { $center }. Do you agree? The full text is at the link below.
consent-again = Your request will now go to another center: { $center }. We need your consent again.
teen-chat = If calling is hard, you can write to the children's helpline online chat.
opt-teen-chat = Children's helpline chat
name-too-long = That is too long for a name. Please write only how we should address you:

# Dialog engine (issue 12): after the request is sent, the family's messages go to the specialist
done-waiting = Request No. { $number } is with the specialists. They will see everything you write here. A new request: /start.
done-message-sent = Thank you, your message was added to request No. { $number } — the specialist will see it. If there is danger right now, call 112.
edit-applied = I see the correction — taking the new answer.

# Pictures and documents from the family (issue 15.11, src/dialog/sent-files.ts, src/requests/attachments.ts)
file-not-kept-before-request = I don't keep photos or files before the request is sent — that keeps your data safe. Please describe the situation in words. Once the request is sent, you can send documents here (an eviction notice or a medical paper, for example) and they will reach the specialist.
file-not-kept-teen = I don't keep photos or files. You can talk to an adult who will help, free and anonymously: 8-800-2000-122.
file-kept = Thank you, the file was added to request No. { $number } — the specialist will see it. If there is danger right now, call 112.
file-too-large = This file is larger than 20 MB, so I can't keep it. Please send a photo of the page or a smaller file — it will go to request No. { $number }.
file-too-many = Request No. { $number } already has many files, so I didn't keep this one. The specialist will contact you and say what else is needed.
file-no-request = I didn't keep this file: there is no open request now. A new request: /start; once it is sent, you can send documents here.
file-refused-later = The file for request No. { $number } could not be kept: it is larger than 20 MB or no longer available. Please send a photo of the page or a smaller file.

# Shorter dialog (issue 12.1): one topic by a press, "I am under 18" on the danger question, flags only where routing uses them
# The same question as cat-prompt but for the note in brackets: the messengers edit it in place.
cat-prompt-multi = What is happening? Choose with a button or describe it in your own words. (Mark all the topics that apply and press "Done". Page { $page } of { $pages })
opt-cat-multi = Several topics
opt-under-18 = I am under 18
words-flags-none = none, none of these, nothing
flag-ask-child-under-4 = Is there a child under 4 in the family?
flag-ask-child-disability = Is there a child with a disability in the family?
flag-ask-pregnancy = Is someone in the family expecting a baby?
flag-ask-large-family = Is yours a large family (3+ children)?
flag-ask-single-parent = Are you raising a child on your own?
# The consent screen as it fits a phone (issue 12.2); the full document is at the link (src/privacy/consent-texts.ts)
consent-screen =
    Consent to the processing of personal data

    { $operator } will keep your phone number, name, a description of the situation and this chat, and pass them on so that you are contacted: { $center }. Kept for { $days } { $days ->
        [one] day
       *[other] days
    } after the request is closed. To withdraw consent: /revoke, the data are deleted at once.

    The full text is at the link below. Do you agree?
# Typed synonyms of the contact options (issue 12.3)
words-method-call = a call, by phone, phone me
words-time-any = whenever, anytime, doesn't matter, no matter

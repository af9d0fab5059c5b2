# Telegram channel: texts of the adapter itself (the dialog's texts live elsewhere)
telegram-group-notice = I only work in private messages. Please write to me in a private chat — there you can calmly and confidentially tell what happened.
telegram-button-inactive = This button no longer works. Please answer the latest question.
telegram-share-contact = 📱 Share my number
telegram-command-start = Start over
telegram-command-help = Help and emergency numbers
telegram-command-status = Status of my request
telegram-command-revoke = Withdraw consent and delete my data
telegram-command-lang = Change language
telegram-keyboard-closed = Got it ✓
# Operators' chats and staff accounts (handoff)
telegram-chat-link-code = Code to link this chat to a center: { $code }. An admin enters it on the center's page in the Opora web view. The code is valid for 30 minutes.
telegram-staff-linked = Done: this Telegram account is linked to your Opora account. The "Take it" button in the center's chat now works for you.
telegram-link-invalid = There is no such code. Check the code on the "My account" page of the web view.
telegram-link-expired = The code has expired. Get a new one in the web view.
telegram-link-used = This code has already been used. Get a new one in the web view.
telegram-link-wrong_purpose = This code cannot link a Telegram account.
telegram-take-ok = The request is yours. Open it with the link in the message.
telegram-take-already = Another colleague has already taken this request.
telegram-take-conflict = The request cannot be taken: it is closed or has changed.
telegram-take-not_found = Request not found.
telegram-take-not_linked = First link Telegram to your account: "My account" in the web view, then send /link CODE to the bot in a private chat.
telegram-take-not_member = This request is not from your center.
telegram-take-invalid = The request cannot be taken.
# Quick exit /hide ("Hide this chat", issue 12): Telegram channel
telegram-command-hide = Hide this chat
telegram-hide-ask = Hide this chat? I will delete this chat's messages from the last 48 hours — yours and mine — and leave one neutral line. Not deleted: messages older than 48 hours, the chat itself in your list and notifications already shown — for those, delete the whole chat. Your request and answers are kept.
telegram-hide-confirm = Hide now
telegram-hide-cancel = Not now
telegram-hide-neutral = Hello! How can I help?

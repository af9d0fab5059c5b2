# MAX channel: menu buttons, command list and the channel's own short texts.
max-menu-help = Help
max-menu-revoke = Withdraw consent
max-menu-status = My request
max-menu-lang = Язык / Language
max-menu-title = Menu. Emergency numbers are always one tap away — the “Help” button.
max-callback-received = Got it
max-error-generic =
    We could not process your message. Please try again in a minute.
    If you or a child are in danger, call 112.
max-command-start = Start again
max-command-help = Help and emergency numbers
max-command-status = Status of my request
max-command-revoke = Withdraw consent to data processing
max-command-lang = Change language
max-command-menu = Menu
# Operators' chats and staff accounts (handoff)
max-chat-link-code = Code to link this chat to a center: { $code }. An admin enters it on the center's page in the Opora web view. The code is valid for 30 minutes.
max-staff-linked = Done: this MAX account is linked to your Opora account. The "Take it" button in the center's chat now works for you.
max-link-invalid = There is no such code. Check the code on the "My account" page of the web view.
max-link-expired = The code has expired. Get a new one in the web view.
max-link-used = This code has already been used. Get a new one in the web view.
max-link-wrong_purpose = This code cannot link a MAX account.
max-take-ok = The request is yours. Open it with the link in the message.
max-take-already = Another colleague has already taken this request.
max-take-conflict = The request cannot be taken: it is closed or has changed.
max-take-not_found = Request not found.
max-take-not_linked = First link MAX to your account: "My account" in the web view, then send /link CODE to the bot in a private chat.
max-take-not_member = This request is not from your center.
max-take-invalid = The request cannot be taken.

# "Take" in an operators' chat: the result also as a message in the chat (issue 15)
max-take-chat-someone = A colleague
max-take-chat-ok = Request { $number } was taken by { $who }.
max-take-chat-already = { $who }: request { $number } has already been taken by another colleague.
max-take-chat-conflict = { $who }: request { $number } cannot be taken: it is closed or has changed.
max-take-chat-not_found = { $who }: request { $number } not found.
max-take-chat-not_linked = { $who }: first link MAX to your account: "My account" in the web view, then send /link CODE to the bot in a private chat.
max-take-chat-not_member = { $who }: request { $number } is not from your center.
max-take-chat-invalid = { $who }: request { $number } cannot be taken.

# Quick exit /hide ("Hide this chat", issue 12): MAX channel
max-menu-hide = Hide this chat
max-command-hide = Hide this chat
max-hide-ask = Hide this chat? I will delete my messages in this chat and leave one neutral line. MAX does not let a bot delete your messages — delete them yourself (press and hold a message) or delete the whole chat. Your request and answers are kept.
max-hide-confirm = Hide now
max-hide-cancel = Not now
max-hide-cancelled = OK
max-hide-neutral = Hello! How can I help?

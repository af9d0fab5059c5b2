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

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

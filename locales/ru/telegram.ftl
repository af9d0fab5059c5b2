# Telegram channel: texts of the adapter itself (the dialog's texts live elsewhere)
telegram-group-notice = Я работаю только в личных сообщениях. Напишите мне в личный чат — там можно спокойно и конфиденциально рассказать, что случилось.
telegram-button-inactive = Эта кнопка больше не действует. Ответьте, пожалуйста, на последний вопрос.
telegram-share-contact = 📱 Поделиться моим номером
telegram-command-start = Начать сначала
telegram-command-help = Помощь и экстренные номера
telegram-command-status = Статус моей заявки
telegram-command-revoke = Отозвать согласие и удалить данные
telegram-command-lang = Сменить язык
telegram-keyboard-closed = Принято ✓

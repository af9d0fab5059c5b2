# MAX channel: menu buttons, command list and the channel's own short texts.
max-menu-help = Помощь
max-menu-revoke = Отозвать согласие
max-menu-status = Моя заявка
max-menu-lang = Язык / Language
max-menu-title = Меню. Номера экстренной помощи доступны в любой момент — кнопка «Помощь».
max-callback-received = Принято
max-error-generic =
    Не получилось обработать сообщение. Пожалуйста, повторите через минуту.
    Если вам или ребёнку угрожает опасность, звоните 112.
max-command-start = Начать заново
max-command-help = Помощь и экстренные номера
max-command-status = Статус моей заявки
max-command-revoke = Отозвать согласие на обработку данных
max-command-lang = Сменить язык
max-command-menu = Меню

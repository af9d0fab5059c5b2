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
# Operators' chats and staff accounts (handoff)
max-chat-link-code = Код для привязки этого чата к центру: { $code }. Администратор вводит его на странице центра в веб-интерфейсе «Опоры». Код действует 30 минут.
max-staff-linked = Готово: этот аккаунт MAX привязан к вашей учётной записи «Опоры». Теперь кнопка «Взять себе» в чате центра работает для вас.
max-link-invalid = Такого кода нет. Проверьте код на странице «Мой аккаунт» в веб-интерфейсе.
max-link-expired = Срок действия кода истёк. Получите новый код в веб-интерфейсе.
max-link-used = Этот код уже использован. Получите новый код в веб-интерфейсе.
max-link-wrong_purpose = Этот код не подходит для привязки аккаунта MAX.
max-take-ok = Заявка ваша. Откройте её по ссылке в сообщении.
max-take-already = Заявку уже взял другой сотрудник.
max-take-conflict = Заявку нельзя взять: она закрыта или изменилась.
max-take-not_found = Заявка не найдена.
max-take-not_linked = Сначала привяжите MAX к учётной записи: «Мой аккаунт» в веб-интерфейсе, затем отправьте боту /link КОД в личные сообщения.
max-take-not_member = Эта заявка не из вашего центра.
max-take-invalid = Заявку нельзя взять.

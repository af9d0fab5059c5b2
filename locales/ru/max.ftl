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

# «Взять себе» в чате операторов: итог ещё и сообщением в чат (issue 15)
max-take-chat-someone = Сотрудник
max-take-chat-ok = Заявку { $number } взял(а) { $who }.
max-take-chat-already = { $who }: заявку { $number } уже взял другой сотрудник.
max-take-chat-conflict = { $who }: заявку { $number } нельзя взять — она закрыта или изменилась.
max-take-chat-not_found = { $who }: заявка { $number } не найдена.
max-take-chat-not_linked = { $who }: сначала привяжите MAX к учётной записи — «Мой аккаунт» в веб-интерфейсе, затем /link КОД боту в личные сообщения.
max-take-chat-not_member = { $who }: заявка { $number } не из вашего центра.
max-take-chat-invalid = { $who }: заявку { $number } нельзя взять.

# Быстрый выход /hide («Скрыть переписку», issue 12): канал MAX
max-menu-hide = Скрыть переписку
max-command-hide = Скрыть переписку
max-hide-ask = Скрыть переписку? Я удалю свои сообщения в этом чате и оставлю одну нейтральную строку. Ваши сообщения MAX не даёт удалить боту — удалите их сами (нажмите на сообщение и держите) или удалите чат целиком. Заявка и ваши ответы сохранятся.
max-hide-confirm = Скрыть сейчас
max-hide-cancel = Не надо
max-hide-cancelled = Хорошо
max-hide-neutral = Здравствуйте! Чем могу помочь?

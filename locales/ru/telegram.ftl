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
# Operators' chats and staff accounts (handoff)
telegram-chat-link-code = Код для привязки этого чата к центру: { $code }. Администратор вводит его на странице центра в веб-интерфейсе «Опоры». Код действует 30 минут.
telegram-staff-linked = Готово: этот аккаунт Telegram привязан к вашей учётной записи «Опоры». Теперь кнопка «Взять себе» в чате центра работает для вас.
telegram-link-invalid = Такого кода нет. Проверьте код на странице «Мой аккаунт» в веб-интерфейсе.
telegram-link-expired = Срок действия кода истёк. Получите новый код в веб-интерфейсе.
telegram-link-used = Этот код уже использован. Получите новый код в веб-интерфейсе.
telegram-link-wrong_purpose = Этот код не подходит для привязки аккаунта Telegram.
telegram-take-ok = Заявка ваша. Откройте её по ссылке в сообщении.
telegram-take-already = Заявку уже взял другой сотрудник.
telegram-take-conflict = Заявку нельзя взять: она закрыта или изменилась.
telegram-take-not_found = Заявка не найдена.
telegram-take-not_linked = Сначала привяжите Telegram к учётной записи: «Мой аккаунт» в веб-интерфейсе, затем отправьте боту /link КОД в личные сообщения.
telegram-take-not_member = Эта заявка не из вашего центра.
telegram-take-invalid = Заявку нельзя взять.
# Быстрый выход /hide («Скрыть переписку», issue 12): канал Telegram
telegram-command-hide = Скрыть переписку
telegram-hide-ask = Скрыть переписку? Я удалю сообщения этого чата за последние 48 часов — ваши и мои — и оставлю одну нейтральную строку. Не удалятся: сообщения старше 48 часов, сам чат в списке и уже показанные уведомления — для этого удалите чат целиком. Заявка и ваши ответы сохранятся.
telegram-hide-confirm = Скрыть сейчас
telegram-hide-cancel = Не надо
telegram-hide-neutral = Здравствуйте! Чем могу помочь?

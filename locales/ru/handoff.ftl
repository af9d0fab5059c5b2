# Notifications to the operators' chat of a center. Never any personal data here.
handoff-new-request =
    Новое обращение № { $number }
    Срочность: { $urgency }
    Темы: { $categories }
    Регион: { $place }
    Обещание семье: { $promise }
    Открыть: { $url }
handoff-p0-reminder =
    ⚠️ P0 № { $number } всё ещё никто не взял ({ $minutes ->
        [one] { $minutes } минута
        [few] { $minutes } минуты
       *[many] { $minutes } минут
    } с момента обращения). Открыть: { $url }
handoff-overdue-reminder = Обращение № { $number } просрочено: семье обещали связаться { $promise }. Открыть: { $url }
handoff-urgency-P0 = P0 — непосредственная опасность
handoff-urgency-P1 = P1 — в течение 24 часов
handoff-urgency-P2 = P2 — в течение 3 рабочих дней
handoff-urgency-P3 = P3 — только информация
handoff-promise-P0 = немедленно
handoff-promise-P1 = в течение 24 часов
handoff-promise-P2 = в течение 3 рабочих дней
handoff-promise-P3 = не требуется
handoff-take-button = Взять себе
# Messages to the family from its center (through the bot).
handoff-family-relay = Специалист — { $center }: { $text }
handoff-family-taken = Ваше обращение № { $number } взято в работу — { $center }. С вами свяжутся так, как вы просили.
handoff-family-closed = Спасибо, что написали нам. Мы закрыли обращение № { $number }. Если что-то изменится или снова понадобится поддержка, просто напишите /start — мы рядом. Если станет опасно, звоните 112; детский телефон доверия 8-800-2000-122 работает круглосуточно и бесплатно.

# Untaken P0 moved along the 24/7 chain (src/requests/escalate-untaken.ts). No personal data.
handoff-p0-moved-in =
    ⚠️ P0 № { $number } передана вам: в очереди «{ $from }» её никто не взял за { $minutes ->
        [one] { $minutes } минуту
        [few] { $minutes } минуты
       *[many] { $minutes } минут
    }. Возьмите её сейчас. Открыть: { $url }
handoff-p0-moved-out = P0 № { $number } никто не взял за { $minutes } мин — она переведена в очередь «{ $to }» ({ $center }). Открыть: { $url }
handoff-p0-moved-admin =
    ⚠️ Регион: P0 № { $number } не взята за { $minutes } мин в очереди «{ $from }» и переведена в «{ $to }» ({ $center }). Проверьте, кто дежурит. Открыть: { $url }

# "Did this help?" after closing (src/requests/help-rating.ts): one optional question, anonymous.
handoff-family-rating-question = Помогло ли вам обращение? Оцените от 1 (совсем нет) до 5 (очень помогло). Отвечать необязательно, ответ анонимный.
handoff-family-rating-thanks = Спасибо! Ваш ответ учтён — анонимно, без имени и номера обращения.
handoff-family-rating-stale = Спасибо! На этот вопрос ответ уже есть (или кнопка устарела) — ничего делать не нужно. Если снова понадобится поддержка, напишите /start.

# A family added a file to an open request (src/handoff/center-notifications.ts): no name, no content.
handoff-file-added = 📎 К заявке № { $number } добавлен { $kind ->
        [photo] снимок
       *[document] документ
    } от семьи. Открыть: { $url }

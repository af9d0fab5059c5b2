# Why a request has its urgency (issue 11; src/dialog/urgency-reasons.ts). Read by operators on the
# request page and in operators' chats: codes only, never the family's words.
reason-answer-danger-now = опасность прямо сейчас — ответ «Да» в диалоге
reason-answer-sos-urgent = нажали «Экстренная помощь» и оставили срочную заявку
reason-answer-check-burnout = страх причинить вред себе или ребёнку — ответ в диалоге
reason-answer-check-housing = негде ночевать с детьми сегодня — ответ в диалоге
reason-answer-check-teen = подросток пропал или не вернулся домой — ответ в диалоге
reason-answer-check-food = дети без еды — ответ в диалоге
reason-answer-check-addiction = дети с взрослым в состоянии опьянения — ответ в диалоге
reason-answer-alarm-no-danger = была тревога, но семья ответила, что опасности прямо сейчас нет
reason-answer-emergency-path = экстренный путь диалога
reason-answer-other = ответ в диалоге ({ $code })
reason-phrase = в тексте семьи: { $what }
reason-category = тема «{ $category }» — { $level } по умолчанию
reason-family-flag = отметка: { $flag }
reason-phrase-kill = угроза убийством
reason-phrase-beat = побои
reason-phrase-knife = нож
reason-phrase-weapon = оружие
reason-phrase-threat = угрозы
reason-phrase-sexual-abuse = сексуальное насилие
reason-phrase-suicide = мысли о суициде
reason-phrase-want-to-die = нежелание жить
reason-phrase-self-harm = самоповреждение
reason-phrase-fear-of-harm = страх причинить вред себе или ребёнку
reason-phrase-child-alone = ребёнок один, без присмотра
reason-phrase-missing = ребёнок пропал
reason-phrase-evicted = выгнали из дома
reason-phrase-no-shelter = негде ночевать
reason-phrase-no-food = дети без еды
reason-phrase-relinquish = мысли об отказе от ребёнка
reason-phrase-removal = угроза изъятия ребёнка
reason-phrase-red-flag = тревожные слова (записано прежней версией)
reason-phrase-other = тревожные слова ({ $id })
reason-danger-now-mark = опасность сейчас
web-request-urgency-reasons = Почему такая срочность
web-request-urgency-none = нет особых причин: обычная срочность по теме
handoff-reasons = Почему: { $list }
handoff-escalated =
    ⚠️ Обращение № { $number }: в новом сообщении семьи — { $reasons }.
    Срочность: { $urgency }
    Открыть: { $url }

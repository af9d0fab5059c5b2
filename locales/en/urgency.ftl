# Why a request has its urgency (issue 11; src/dialog/urgency-reasons.ts). Read by operators on the
# request page and in operators' chats: codes only, never the family's words.
reason-answer-danger-now = danger right now — answered "Yes" in the dialog
reason-answer-sos-urgent = pressed "Emergency help" and left an urgent request
reason-answer-check-burnout = fear of harming themselves or the child — answer in the dialog
reason-answer-check-housing = nowhere to sleep with the children tonight — answer in the dialog
reason-answer-check-teen = teenager missing or not back home — answer in the dialog
reason-answer-check-food = children without food — answer in the dialog
reason-answer-check-addiction = children with an intoxicated adult — answer in the dialog
reason-answer-alarm-no-danger = there was an alarm, but the family answered there is no danger right now
reason-answer-emergency-path = emergency path of the dialog
reason-answer-other = answer in the dialog ({ $code })
reason-phrase = in the family's text: { $what }
reason-category = topic "{ $category }" — { $level } by default
reason-family-flag = mark: { $flag }
reason-phrase-kill = threat to kill
reason-phrase-beat = beating
reason-phrase-knife = knife
reason-phrase-weapon = weapon
reason-phrase-threat = threats
reason-phrase-sexual-abuse = sexual abuse
reason-phrase-suicide = suicidal thoughts
reason-phrase-want-to-die = not wanting to live
reason-phrase-self-harm = self-harm
reason-phrase-fear-of-harm = fear of harming themselves or the child
reason-phrase-child-alone = child alone, unattended
reason-phrase-missing = child missing
reason-phrase-evicted = thrown out of home
reason-phrase-no-shelter = nowhere to sleep
reason-phrase-no-food = children without food
reason-phrase-relinquish = thinking of giving up the child
reason-phrase-removal = threat of the child's removal
reason-phrase-red-flag = alarming words (recorded by an earlier version)
reason-phrase-other = alarming words ({ $id })
reason-danger-now-mark = danger now
web-request-urgency-reasons = Why this urgency
web-request-urgency-none = no special reasons: the topic's usual urgency
handoff-reasons = Why: { $list }
handoff-escalated =
    ⚠️ Request No. { $number }: a new message of the family — { $reasons }.
    Urgency: { $urgency }
    Open: { $url }

// Categories guessed from free text (the first message, a danger phrase, a typed answer at the
// topics question). Suggestions are always confirmed by the person, so generous matching is fine.
import { type Category, CATEGORIES } from "../domain/taxonomy.ts";

/** Word stems that suggest a category in free text ("ё" already folded to "е", lower case). */
export const CATEGORY_KEYWORDS: Record<Category, string[]> = {
  violence: ["бьет", "бил", "избива", "насили", "побои", "ударил", "жесток", "угрожа", "abuse", "violen", "beat", "hits me"],
  suicide_crisis: ["суицид", "покончить", "не хочу жить", "жить не хочу", "повеситься", "умереть", "suicid", "kill myself", "end my life"],
  child_danger: ["один дома", "одна дома", "пропал", "без присмотра", "опасност", "missing", "home alone", "unattended"],
  removal_risk: ["изъят", "заберут", "забрать ребенка", "отберут", "отобрать", "лишить прав", "лишить родительск", "лишение прав", "лишения прав", "лишат", "детдом", "детский дом", "removal", "take my child", "take away my", "foster"],
  pregnancy_infant: ["беремен", "отказаться от ребенка", "отказ от ребенка", "роды", "родила", "новорожд", "младен", "малыш", "pregnan", "newborn", "infant"],
  addiction: ["пьет", "пьют", "бухает", "бухают", "бухать", "запой", "алкогол", "наркот", "нарко", "игроман", "ставки", "зависим", "drink", "alcohol", "drug", "gambl", "addict"],
  housing: ["выгнал", "выселя", "жилье", "жилья", "квартир", "негде жить", "негде ночевать", "на улице", "evict", "homeless", "housing", "nowhere to live"],
  material_need: ["денег", "нет еды", "нечего есть", "голод", "работ", "пособи", "долг", "money", "food", "no job", "benefit", "debt"],
  disability_care: ["инвалид", "овз", "реабилит", "аутизм", "дцп", "disab", "rehab", "autism"],
  family_conflict: ["развод", "ссор", "конфликт", "скандал", "воспитан", "не слушается", "divorce", "conflict", "argu", "parenting"],
  parental_burnout: ["нет сил", "устал", "выгоран", "выгорел", "не справляюсь", "burnout", "burned out", "exhausted", "can't cope", "cannot cope"],
  teen_law: ["подрост", "сбежал", "ушел из дома", "ушла из дома", "полици", "на учет", "кража", "teen", "ran away", "police"],
  legal_docs: ["документ", "алимент", "юрист", "суд", "паспорт", "опекунств", "опека", "document", "alimony", "lawyer", "court"],
  other_info: [],
};

export function foldText(text: string): string {
  return text.toLowerCase().replaceAll("ё", "е");
}

/** Categories whose keywords occur in the text, in taxonomy order. */
export function suggestCategories(text: string): Category[] {
  const folded = foldText(text);
  return CATEGORIES.filter((c) => CATEGORY_KEYWORDS[c].some((k) => folded.includes(k)));
}

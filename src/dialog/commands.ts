// Commands (/help, /status, /revoke, /lang, /back, /cancel); /start is a restart (navigation.ts).
import { onBack, onCancel } from "./navigation.ts";
import type { Run } from "./run.ts";

export function onCommand(r: Run, name: string, arg: string | undefined): void {
  switch (name) {
    case "help":
      r.say("help", { numbers: r.numbers() });
      r.show();
      return;
    case "status":
      r.effects.push({ type: "showStatus" });
      r.replies.push({ type: "outcome", of: "showStatus" });
      r.show();
      return;
    case "revoke":
      r.s = { ...r.s, modal: { kind: "revoke" } };
      r.show();
      return;
    case "lang": {
      const want = (arg ?? "").trim().toLowerCase();
      if (want === "ru" || want === "en") {
        r.s = { ...r.s, locale: want, modal: undefined };
        r.say("lang-set");
        r.show();
        return;
      }
      r.s = { ...r.s, modal: { kind: "lang" } };
      r.show();
      return;
    }
    case "back":
      onBack(r);
      return;
    case "cancel":
      onCancel(r);
      return;
    default:
      r.show();
  }
}

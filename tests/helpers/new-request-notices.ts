// A request made by a test (not through the dialog's "send" step, which writes its notices in its
// own last statement): its center's new-request notices enqueued as that step would. Returns how
// many chats will be told.
import type { Tx } from "../../src/db/client.ts";
import { type CenterNotificationDeps, loadForNotice, newRequestNotices } from "../../src/handoff/center-notifications.ts";
import { enqueueDelivery } from "../../src/outbox/outbox.ts";

export async function enqueueNewRequestNotices(tx: Tx, deps: CenterNotificationDeps, requestId: number, now: Date): Promise<number> {
  const req = await loadForNotice(tx, requestId);
  const deliveries = req ? newRequestNotices(deps, req) : [];
  for (const d of deliveries) await enqueueDelivery(tx, d, now);
  return deliveries.length;
}

// The MAX poller's stored marker is fenced by its election lease (issue 18.2): a poller whose poll
// came back after it had lost the lease (a paused process: its term ended, another instance took
// over and stored a newer marker) must not write its older marker over the new poller's — the
// write commits only in a transaction that finds the lease still this poller's (src/cluster/leases.ts,
// `fenced`). The Telegram poller stores no offset (Telegram keeps what was confirmed; a poller
// confirms only what it journaled), so it has no such write. Runs on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMaxPolling, loadMarker, type MaxUpdatesPage } from "../../src/channels/max/max-polling.ts";
import { createElection, type Election } from "../../src/cluster/election.ts";
import { createLeases, fenced, LeaseLostError } from "../../src/cluster/leases.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { log, waitFor } from "../max/harness.ts";

const TTL = 600;
const RETRY = 50;
const CHANNEL = "max:fence-test";

let tmp: TempDb;
const elections: Election[] = [];
beforeEach(async () => {
  tmp = await createTempDb();
});
afterEach(async () => {
  for (const e of elections.splice(0)) e.kill();
  await tmp.cleanup();
});

function election(holder: string) {
  const e = createElection({ leases: createLeases({ db: tmp.db, holder }), name: "poll:max", log, ttlMs: TTL, retryMs: RETRY });
  elections.push(e);
  return e;
}

describe("MAX poller marker under the election lease", () => {
  it("a poller whose poll returns after another took over does not move the stored marker", async () => {
    await tmp.db.pollCursor.create({ data: { channel: CHANNEL, position: "5", updatedAt: new Date() } });

    // A: its poll hangs (a paused process) and ignores the end of its term, as a process that
    // resumes only after its lease ran out would.
    let releaseA: (page: MaxUpdatesPage) => void = () => undefined;
    const aPolls: Array<number | undefined> = [];
    const a = election("a");
    const pollerA = createMaxPolling({
      db: tmp.db,
      log,
      channel: CHANNEL,
      leadership: a,
      minRetryMs: 10,
      maxRetryMs: 20,
      deliver: async () => undefined,
      getUpdates: ({ marker }) => {
        aPolls.push(marker);
        return new Promise((resolve) => (releaseA = resolve));
      },
    });
    await pollerA.start();
    a.start();
    await waitFor(() => aPolls.length === 1, 5000, "a polls");
    expect(aPolls[0]).toBe(5);
    a.kill(); // stops renewing; the lease stays until it expires

    // B takes over from the stored marker and stores a newer one.
    const bPolls: Array<number | undefined> = [];
    const b = election("b");
    const pollerB = createMaxPolling({
      db: tmp.db,
      log,
      channel: CHANNEL,
      leadership: b,
      minRetryMs: 10,
      maxRetryMs: 20,
      deliver: async () => undefined,
      getUpdates: ({ marker, signal }) => {
        bPolls.push(marker);
        if (bPolls.length === 1) return Promise.resolve({ updates: [], marker: 20 });
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
      },
    });
    await pollerB.start();
    b.start();
    await waitFor(() => bPolls.length >= 2, 5000, "b took over and polled again");
    expect(bPolls[0]).toBe(5);
    expect(await loadMarker(tmp.db, CHANNEL)).toBe(20);

    // A's poll comes back now, with the marker MAX gave it then: stopping A waits for its save.
    releaseA({ updates: [], marker: 10 });
    await pollerA.stop();
    expect(await loadMarker(tmp.db, CHANNEL)).toBe(20);
    await pollerB.stop();
  });

  it("the term's fence fails in a transaction once the lease has passed to another instance", async () => {
    const a = election("a");
    a.start();
    const term = await a.turn(new AbortController().signal);
    if (!term) throw new Error("a got no term");
    await fenced(tmp.db, term.fence, async () => undefined); // held: passes
    a.kill();
    const b = election("b");
    b.start();
    await waitFor(() => b.leading, 5000, "b elected");
    await expect(fenced(tmp.db, term.fence, async () => undefined)).rejects.toBeInstanceOf(LeaseLostError);
  });
});

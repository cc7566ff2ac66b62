// How far a scan has got, counted as it goes: subscriptions and HSMs done out of those known, and log queries
// answered out of those to ask. An HSM is done once its diagnostic settings and categories are read (a Dedicated HSM
// once it is listed); a subscription once its HSMs are listed, its provider state read and its HSMs done.

export interface Count {
  done: number;
  total: number;
}

export interface ScanProgress {
  /** What the scan is doing now, in a few words. */
  stage: string;
  subscriptions: Count;
  hsms: Count;
  queries: Count;
}

export class ProgressTracker {
  private stageText = "starting";
  private readonly subscriptions = new Map<
    string,
    { listed: boolean; provider: boolean; pending: number; done: boolean }
  >();

  /** Counts a subscription done the moment all of it is. */
  private settle(s: { listed: boolean; provider: boolean; pending: number; done: boolean }): void {
    if (!s.done && s.listed && s.provider && s.pending === 0) {
      s.done = true;
      this.subscriptionsDone++;
    }
  }
  private hsmsTotal = 0;
  private hsmsDone = 0;
  private queriesTotal = 0;
  private queriesDone = 0;
  private subscriptionsDone = 0;

  constructor(private readonly report: (progress: ScanProgress) => void = () => {}) {}

  private emit(): void {
    this.report({
      stage: this.stageText,
      subscriptions: { done: this.subscriptionsDone, total: this.subscriptions.size },
      hsms: { done: this.hsmsDone, total: this.hsmsTotal },
      queries: { done: this.queriesDone, total: this.queriesTotal },
    });
  }

  stage(text: string): void {
    this.stageText = text;
    this.emit();
  }

  subscriptionsKnown(ids: string[]): void {
    for (const id of ids) {
      this.subscriptions.set(id.toLowerCase(), { listed: false, provider: false, pending: 0, done: false });
    }
    this.emit();
  }

  /** A subscription's HSMs are listed: `monitored` of them still have settings to read. */
  listed(subscriptionId: string, hsms: number, monitored: number): void {
    const s = this.subscriptions.get(subscriptionId.toLowerCase());
    if (!s) return;
    s.listed = true;
    s.pending += monitored;
    this.hsmsTotal += hsms;
    this.hsmsDone += hsms - monitored;
    // A subscription without HSMs is not judged on its provider: nothing is read for it.
    if (hsms === 0) s.provider = true;
    this.settle(s);
    this.emit();
  }

  providerRead(subscriptionId: string): void {
    const s = this.subscriptions.get(subscriptionId.toLowerCase());
    if (s) {
      s.provider = true;
      this.settle(s);
    }
    this.emit();
  }

  hsmDone(subscriptionId: string): void {
    const s = this.subscriptions.get(subscriptionId.toLowerCase());
    if (s && s.pending > 0) s.pending--;
    if (s) this.settle(s);
    this.hsmsDone++;
    this.emit();
  }

  queriesToAsk(n: number): void {
    this.queriesTotal += n;
    this.emit();
  }

  queryAnswered(): void {
    this.queriesDone++;
    this.emit();
  }
}

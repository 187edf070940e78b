/** One benchmark: a name (its JSON file under reports/bench/) and what it measured. */
export interface BenchModule {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

import PlanExecutor

/// RFC 3339 UTC time without fractions (plan `createdAt`, lock and report times): the journal's own
/// clock, so plans, reports and journal rows read alike.
enum Clock {
  static func now() -> String { ExecutorOptions.utcNow() }
}

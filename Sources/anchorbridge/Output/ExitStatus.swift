import AnchorCore
import ArgumentParser
import PlanExecutor
import StateStore

/// Documented exit codes (README "Exit codes").
enum ExitStatus {
  static let success: Int32 = 0
  static let unexpected: Int32 = 1
  static let configuration: Int32 = 2
  /// More changes than `safety.maxChanges`: nothing was written.
  static let safetyThreshold: Int32 = 3
  /// Some items failed (Graph refused or a write did not take).
  static let itemsFailed: Int32 = 4
  /// Items need a person: conflicts, blocks or stale items; nothing failed.
  static let needsAttention: Int32 = 5
  /// `run` used its whole time budget and stopped cleanly; the next run recovers and goes on.
  static let timeBudget: Int32 = 6
  static let invalidInput: Int32 = 64
  /// Another run holds the lock (EX_TEMPFAIL: cron tries again next time).
  static let locked: Int32 = 75
}

/// Runs a command body, turning known failures into a one-line message on stderr and the
/// documented exit code (instead of a stack of Swift error descriptions).
func withExitCodes(_ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch let error as ConfigurationError {
    Messages.emit("error", "configuration error: \(error)")
    throw ExitCode(ExitStatus.configuration)
  } catch let error as WatermarkFile.Unreadable {
    Messages.emit("error", "configuration error: \(error)")
    throw ExitCode(ExitStatus.configuration)
  } catch let error as UsageError {
    Messages.emit("error", "\(error)")
    throw ExitCode(ExitStatus.configuration)
  } catch let error as StateFolderError where error.unsafe {
    Messages.emit("error", "\(error)")
    throw ExitCode(ExitStatus.configuration)
  } catch let error as RunBudget.Exhausted {
    Messages.emit("error", "\(error)")
    throw ExitCode(ExitStatus.timeBudget)
  } catch let error as RunLock.Held {
    Messages.emit("error", "\(error)")
    throw ExitCode(ExitStatus.locked)
  } catch let error as AnchorCoreError {
    Messages.emit("error", "\(error)")
    throw ExitCode(ExitStatus.configuration)
  } catch let error as ExecutorError {
    Messages.emit("error", "\(error)")
    switch error {
    case .safetyThreshold: throw ExitCode(ExitStatus.safetyThreshold)
    case .wrongTenant, .unknownRun, .nothingToRollBack: throw ExitCode(ExitStatus.configuration)
    default: throw ExitCode(ExitStatus.unexpected)
    }
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch {
    Messages.emit("error", "\(error)")
    throw ExitCode(ExitStatus.unexpected)
  }
}

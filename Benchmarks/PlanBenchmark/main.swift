// anchorbridge-bench-plan: plans N directory users against N cloud users and reports wall time and
// peak RSS per size. Peer in the same run: a bare lowercased-UPN dictionary join (the least any
// hash-based matcher must do), so the ratio shows what the full planner costs on top of it.
//
//   swift build -c release --product anchorbridge-bench-plan
//   /usr/bin/time -v taskset -c 0 .build/release/anchorbridge-bench-plan 1000000
//
// BENCH_INPUTS=legacy|ordered|distinct|realistic (default) picks how the inputs sit in memory
// (`InputShape`); BENCH_SKIP_JSON=1 skips writing; BENCH_WRITE_PLAN=path writes the plans.
// BENCH_PERF_FIFO=path profiles planning alone: it writes `enable`/`disable` around planning to
// perf's control FIFO (`perf record -D -1 --control fifo:path ...`).
import AnchorCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SplitMix64: the same inputs on every run.
struct Generator: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// How the generated inputs sit in memory. The users' values are the same in every shape (same
/// seed, same shuffle): only where their strings are allocated, and whether twins share them,
/// differs.
struct InputShape {
  /// Allocate the cloud users' strings in the order of the cloud array, after all directory users,
  /// as a client decoding Graph pages does. Off: created in generation order, then shuffled, so
  /// the array visits its strings at random addresses.
  var cloudStringsInArrayOrder = true
  /// Give a cloud user and its directory twin separate string storage for equal texts, as two
  /// decoders do. Off: one `String` object serves both (comparing them then reads one string).
  var distinctTwinStrings = true

  /// `BENCH_INPUTS`: `realistic` (default), `legacy` (neither: shuffled strings shared by twins),
  /// `ordered` (array order only), `distinct` (distinct twins only).
  init(environment value: String?) {
    switch value {
    case nil, "realistic": break
    case "legacy": (cloudStringsInArrayOrder, distinctTwinStrings) = (false, false)
    case "ordered": distinctTwinStrings = false
    case "distinct": cloudStringsInArrayOrder = false
    case let other?:
      fatalError("BENCH_INPUTS=\(other): expected realistic, legacy, ordered or distinct")
    }
  }

  var name: String {
    switch (cloudStringsInArrayOrder, distinctTwinStrings) {
    case (true, true): "realistic"
    case (false, false): "legacy"
    case (true, false): "ordered"
    case (false, true): "distinct"
    }
  }
}

/// A tenant and a forest of `count` users each, with a realistic mix: most link by UPN, some are
/// already linked, some match by SMTP, some are federated, relinks, role holders, synced, disabled
/// and unmatched.
func makeInputs(_ count: Int, shape: InputShape) -> ([DirectoryUser], TenantSnapshot) {
  var random = Generator(state: 2026)
  var directory: [DirectoryUser] = []
  var guids: [ObjectGUID] = []
  var cloud: [CloudUser] = []
  directory.reserveCapacity(count)
  guids.reserveCapacity(count)
  cloud.reserveCapacity(count)
  for n in 0..<count {
    let bytes = (0..<2).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } }
    let guid = ObjectGUID(bytes: bytes)!
    guids.append(guid)
    directory.append(directoryUser(n, guid: guid))
    if !shape.cloudStringsInArrayOrder {
      cloud.append(cloudUser(n, guid: guid, twin: directory[n], shape: shape))
    }
  }
  if shape.cloudStringsInArrayOrder {
    // The same permutation as shuffling the users themselves (same generator, same count).
    var order = Array(0..<count)
    order.shuffle(using: &random)
    for n in order { cloud.append(cloudUser(n, guid: guids[n], twin: directory[n], shape: shape)) }
  } else {
    cloud.shuffle(using: &random)
  }
  let tenant = TenantSnapshot(
    tenantId: "11111111-2222-3333-4444-555555555555", users: cloud,
    domains: [
      TenantDomain(name: "contoso.onmicrosoft.com", authenticationType: .managed, isInitial: true),
      TenantDomain(name: "contoso.com", authenticationType: .managed),
      TenantDomain(name: "fed.contoso.com", authenticationType: .federated),
    ],
    flags: TenantFlags(
      blockSoftMatchEnabled: true, blockCloudObjectTakeoverThroughHardMatchEnabled: false))
  return (directory, tenant)
}

/// Per 100 users: 3 federated, 20 already linked, 5 SMTP-only, 2 relinks, 1 role holder, 1 synced,
/// 3 disabled, 5 without a twin.
func directoryUser(_ n: Int, guid: ObjectGUID) -> DirectoryUser {
  let name = "user" + String(n)
  let bucket = n % 100
  let domain = bucket < 3 ? "fed.contoso.com" : "contoso.com"
  var upn = name + "@" + domain
  var mail: String? = nil
  if (23..<28).contains(bucket) {  // soft match by SMTP
    upn = name + "@corp.local"
    mail = name + ".smtp@contoso.com"
  }
  return DirectoryUser(
    source: "corp", distinguishedName: "CN=" + name + ",OU=Users,DC=corp,DC=example",
    objectGUID: guid, anchor: SourceAnchor(guid: guid), anchorSource: "objectGUID",
    userPrincipalName: upn, samAccountName: name, mail: mail, enabled: !(32..<35).contains(bucket))
}

/// The cloud user generated with directory user `n` (its twin, except for the 5 in 100 without).
func cloudUser(_ n: Int, guid: ObjectGUID, twin: DirectoryUser, shape: InputShape) -> CloudUser {
  let name = "user" + String(n)
  let bucket = n % 100
  let domain = bucket < 3 ? "fed.contoso.com" : "contoso.com"
  let cloudId = guid.canonicalString  // any unique GUID-shaped id
  // Built again (new storage) unless twins share their strings.
  var upn = shape.distinctTwinStrings ? name + "@" + domain : twin.userPrincipalName!
  var mail: String? = nil
  var immutableId: SourceAnchor? = nil
  var synced: Bool? = nil
  switch bucket {
  case 3..<23: immutableId = SourceAnchor(guid: guid)  // already linked
  case 23..<28:  // soft match by SMTP
    upn = name + "@" + domain
    mail = shape.distinctTwinStrings ? name + ".smtp@contoso.com" : twin.mail
  case 28..<30:
    // relink blocked
    immutableId = SourceAnchor(binaryValue: [UInt8(bucket), 1, 2, 3])
  case 31:
    synced = true
    immutableId = SourceAnchor(guid: guid)
  case 35..<40: upn = "other" + String(n) + "@contoso.com"  // no twin
  default: break
  }
  return CloudUser(
    id: cloudId, userPrincipalName: upn, mail: mail, onPremisesImmutableId: immutableId,
    onPremisesSyncEnabled: synced, holdsDirectoryRole: bucket == 30)
}

/// The peer: join on lowercased UPN with a plain dictionary, nothing else.
func bareJoin(_ directory: [DirectoryUser], _ tenant: TenantSnapshot) -> Int {
  var byUPN: [String: Int] = [:]
  byUPN.reserveCapacity(tenant.users.count)
  for (index, user) in tenant.users.enumerated() {
    byUPN[user.userPrincipalName.lowercased()] = index
  }
  var found = 0
  for user in directory {
    if let upn = user.userPrincipalName, byUPN[upn.lowercased()] != nil { found += 1 }
  }
  return found
}

#if os(Linux)
  /// glibc's malloc_trim (not exported by the Glibc module): returns freed heap pages to the OS.
  @_silgen_name("malloc_trim") func mallocTrim(_ pad: Int) -> Int32
#endif

/// Resets VmHWM (Linux: `5` in /proc/self/clear_refs), so a phase's peak can be read alone.
func resetPeakRSS() {
  guard let file = fopen("/proc/self/clear_refs", "w") else { return }
  fputs("5", file)
  fclose(file)
}

func peakRSSMiB() -> Double {
  guard let file = fopen("/proc/self/status", "r") else { return .nan }
  defer { fclose(file) }
  var line = [CChar](repeating: 0, count: 256)
  while fgets(&line, Int32(line.count), file) != nil {
    let text = String(cString: line)
    if text.hasPrefix("VmHWM:") {
      let digits = text.filter(\.isNumber)
      return (Double(digits) ?? .nan) / 1024
    }
  }
  return .nan
}

/// User + system CPU seconds of this process so far (wall time on a shared machine overstates).
func cpuSeconds() -> Double {
  var usage = rusage()
  #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Sends `command` to perf's control FIFO when BENCH_PERF_FIFO names one (see the header).
func perfControl(_ command: String) {
  guard let path = getenv("BENCH_PERF_FIFO"), let file = fopen(path, "w") else { return }
  fputs(command + "\n", file)
  fclose(file)
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ value: Double, _ decimals: Int = 3) -> String {
  var scale = 1.0
  for _ in 0..<decimals { scale *= 10 }
  let rounded = (value * scale).rounded() / scale
  var text = String(rounded)
  let parts = text.split(separator: ".")
  if parts.count == 2 && parts[1].count < decimals {
    text += String(repeating: "0", count: decimals - parts[1].count)
  }
  return text
}

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let runSizes = sizes.isEmpty ? [100_000, 1_000_000] : sizes
let clock = ContinuousClock()
let shape = InputShape(environment: getenv("BENCH_INPUTS").map { String(cString: $0) })
print(
  "<!-- sizes in bytes: DirectoryUser \(MemoryLayout<DirectoryUser>.stride), CloudUser \(MemoryLayout<CloudUser>.stride), PlanItem \(MemoryLayout<PlanItem>.stride), PlanStep \(MemoryLayout<PlanStep>.stride) -->"
)
print(
  "| users (AD = cloud) | plan wall s | plan CPU s | peer (bare UPN join) CPU s | plan / peer | peak RSS (inputs + plan) MiB | write JSON CPU s | JSON MiB | items |"
)
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for count in runSizes {
  let (directory, tenant) = makeInputs(count, shape: shape)
  #if os(Linux)
    // Return the generator's temporaries to the OS and restart the high-water mark: the peak
    // read after planning is then the inputs plus the planner, nothing else.
    _ = mallocTrim(0)
  #endif
  resetPeakRSS()
  let rssInputs = peakRSSMiB()
  var plan: Plan?
  perfControl("enable")
  let planStart = cpuSeconds()
  let planning = clock.measure {
    plan = HardMatchPlanner().plan(
      directoryUsers: directory, tenant: tenant, createdAt: "2026-11-29T00:00:00Z")
  }
  let planCPU = cpuSeconds() - planStart
  perfControl("disable")
  let rssAfterPlan = peakRSSMiB()
  var bytes = 0
  let encodeStart = cpuSeconds()
  if getenv("BENCH_SKIP_JSON") == nil {
    plan!.writeJSON { bytes += $0.count }  // streamed: the sink only counts
  }
  let encodeCPU = cpuSeconds() - encodeStart
  // The peer runs after planning so its dictionary does not sit under the planner's peak.
  var peerResult = 0
  let peerStart = cpuSeconds()
  peerResult = bareJoin(directory, tenant)
  let peerCPU = cpuSeconds() - peerStart
  print(
    "| \(count) | \(format(seconds(planning))) | \(format(planCPU)) | \(format(peerCPU)) | \(format(planCPU / peerCPU, 1))x | \(format(rssAfterPlan, 0)) | \(format(encodeCPU)) | \(format(Double(bytes) / 1_048_576, 1)) | \(plan!.items.count) |"
  )
  if peerResult == 0 { print("peer matched nothing") }
  // BENCH_WRITE_PLAN=path writes the link plan and a clear plan (for schema validation).
  if let path = getenv("BENCH_WRITE_PLAN").map({ String(cString: $0) }) {
    let clear = ClearPlanner(settings: PlanSettings(allowFederatedClear: true)).plan(
      tenant: tenant, newForestUsers: directory, createdAt: "2026-11-29T00:00:00Z")
    for (file, written) in [(path, plan!), (path + ".clear.json", clear)] {
      guard let handle = fopen(file, "w") else { continue }
      written.writeJSON { chunk in
        _ = chunk.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
      }
      fclose(handle)
    }
  }
  print(
    "<!-- \(count), \(shape.name) inputs: \(plan!.summaryLine); inputs alone \(format(rssInputs, 0)) MiB RSS -->"
  )
}

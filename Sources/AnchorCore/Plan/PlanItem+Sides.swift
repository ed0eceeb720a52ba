/// The users a `HardMatchPlanner` plan was made from, shared by its items: each item reads its
/// references and before-image from here, by position, when they are asked for.
///
/// Holding the arrays keeps the inputs alive as long as the plan (they are alive while planning
/// anyway, and copying a Swift array shares its storage).
final class PlanInputs: Sendable {
  let directory: [DirectoryUser]
  let cloud: [CloudUser]

  init(directory: [DirectoryUser], cloud: [CloudUser]) {
    self.directory = directory
    self.cloud = cloud
  }

  // Field by field: copying a whole user retains every one of its strings.
  func directoryRef(_ position: Int32) -> DirectoryObjectRef {
    let index = Int(position)
    return DirectoryObjectRef(
      source: directory[index].source, distinguishedName: directory[index].distinguishedName,
      objectGuid: directory[index].objectGUID,
      userPrincipalName: directory[index].userPrincipalName)
  }

  func cloudRef(_ position: Int32) -> CloudObjectRef {
    let index = Int(position)
    return CloudObjectRef(
      id: cloud[index].id, userPrincipalName: cloud[index].userPrincipalName)
  }

  /// The cloud user's state as the snapshot saw it: what the executor must find before writing.
  func before(_ position: Int32) -> BeforeImage {
    let index = Int(position)
    return BeforeImage(
      immutableId: cloud[index].onPremisesImmutableId,
      userPrincipalName: cloud[index].userPrincipalName,
      onPremisesSyncEnabled: cloud[index].onPremisesSyncEnabled)
  }
}

extension PlanItem {
  /// What an item read from the inputs has besides its references.
  enum DerivedSides: UInt8, Sendable {
    /// No before-image, no steps (skips and conflicts).
    case none
    /// The cloud user's before-image, no steps (noop, blocked, and federated links until their
    /// sequence is added).
    case before
    /// The before-image and one `setImmutableId` step writing the item's `immutableId`.
    case setImmutableId
  }

  /// Where an item's references, before-image and steps come from.
  enum Sides: Sendable {
    /// Read from the planner's inputs: the directory user and cloud user at these positions
    /// (-1: none), so the item holds two positions instead of strings and arrays.
    case inputs(PlanInputs, directory: Int32, cloud: Int32, derived: DerivedSides)
    /// Held by the item: decoded, built by another planner, or changed after planning.
    indirect case held(HeldSides)

    var cloud: CloudObjectRef? {
      switch self {
      case .inputs(let inputs, _, let cloud, _): cloud < 0 ? nil : inputs.cloudRef(cloud)
      case .held(let held): held.cloud
      }
    }

    var directory: DirectoryObjectRef? {
      switch self {
      case .inputs(let inputs, let directory, _, _):
        directory < 0 ? nil : inputs.directoryRef(directory)
      case .held(let held): held.directory
      }
    }

    var before: BeforeImage? {
      switch self {
      case .inputs(let inputs, _, let cloud, let derived):
        derived == .none || cloud < 0 ? nil : inputs.before(cloud)
      case .held(let held): held.before
      }
    }

    func steps(immutableId: SourceAnchor?) -> [PlanStep] {
      switch self {
      case .inputs(let inputs, _, let cloud, let derived):
        guard derived == .setImmutableId, cloud >= 0 else { return [] }
        return [
          PlanStep(kind: .setImmutableId, immutableId: immutableId, expect: inputs.before(cloud))
        ]
      case .held(let held): return held.steps
      }
    }

    /// The sides as an item holds them.
    func held(immutableId: SourceAnchor?) -> HeldSides {
      switch self {
      case .inputs(let inputs, _, let cloud, let derived):
        let steps = self.steps(immutableId: immutableId)
        return HeldSides(
          cloud: self.cloud, directory: directory,
          before: steps.isEmpty && derived != .none && cloud >= 0 ? inputs.before(cloud) : nil,
          steps: steps)
      case .held(let held): return held
      }
    }
  }

  /// The sides of an item that holds them.
  struct HeldSides: Sendable {
    var cloud: CloudObjectRef?
    var directory: DirectoryObjectRef?
    /// The before-image when it is not the first step's expectation (see `compactBefore`).
    var storedBefore: BeforeImage?
    var steps: [PlanStep]

    init(
      cloud: CloudObjectRef?, directory: DirectoryObjectRef?, before: BeforeImage?,
      steps: [PlanStep]
    ) {
      self.cloud = cloud
      self.directory = directory
      self.storedBefore = before
      self.steps = steps
    }

    var before: BeforeImage? {
      get { storedBefore ?? steps.first?.expect }
      set { storedBefore = newValue }
    }
  }
}

/// Items are equal when everything they show is equal, however it is stored.
extension PlanItem: Hashable {
  public static func == (lhs: PlanItem, rhs: PlanItem) -> Bool {
    lhs.action == rhs.action && lhs.reason == rhs.reason && lhs.explanation == rhs.explanation
      && lhs.matchedBy == rhs.matchedBy && lhs.immutableId == rhs.immutableId
      && lhs.cloud == rhs.cloud && lhs.directory == rhs.directory && lhs.before == rhs.before
      && lhs.steps == rhs.steps && lhs.involved == rhs.involved
      && lhs.diagnostics == rhs.diagnostics && lhs.softMatch == rhs.softMatch
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(action)
    hasher.combine(reason)
    hasher.combine(explanation)
    hasher.combine(cloud)
    hasher.combine(directory)
    hasher.combine(matchedBy)
    hasher.combine(immutableId)
    hasher.combine(before)
    hasher.combine(steps)
    hasher.combine(involved)
    hasher.combine(diagnostics)
    hasher.combine(softMatch)
  }
}

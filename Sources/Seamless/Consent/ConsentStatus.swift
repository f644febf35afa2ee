/// A consent's state at a moment.
public enum ConsentState: String, Sendable, Hashable, Codable, CaseIterable {
    /// In force.
    case active
    /// Suspended by the subject; may be resumed.
    case paused
    /// Withdrawn by the subject; final.
    case withdrawn
    /// Past its expiry; derived from the record, never stored.
    case expired
    /// Before its start; derived from the record, never stored.
    case notYetValid = "not-yet-valid"
}

/// One change of a consent's status.
public struct ConsentStatusChange: Sendable, Hashable, Codable {
    /// The consent.
    public var consent: String
    /// The new stored state: active, paused or withdrawn.
    public var state: ConsentState
    /// When it took effect.
    public var at: Timestamp
    /// Who recorded it (a node id or a role).
    public var by: String
    /// Why, if given.
    public var reason: String?

    /// Creates a change.
    public init(consent: String, state: ConsentState, at: Timestamp, by: String, reason: String? = nil) {
        self.consent = consent
        self.state = state
        self.at = at
        self.by = by
        self.reason = reason
    }
}

/// A consent record with its status history: everything needed to say, for any moment, whether it was
/// in force — so withdrawal counts from its moment on and never before.
public struct ConsentStatus: Sendable, Hashable, Codable {
    /// The immutable record.
    public var record: ConsentRecord
    /// The status changes in time order; the first is `active` at recording.
    public var history: [ConsentStatusChange]

    /// Creates a status.
    public init(record: ConsentRecord, history: [ConsentStatusChange]) {
        self.record = record
        self.history = history.sorted { $0.at < $1.at }
    }

    /// The state at `moment`.
    public func state(at moment: Timestamp) -> ConsentState {
        if moment < record.start { return .notYetValid }
        if moment >= record.expiry { return .expired }
        var state = ConsentState.active
        for change in history {
            if change.at > moment { break }
            state = change.state
        }
        return state
    }

    /// Why `from` → `to` is not allowed, or `nil` when it is: withdrawn is final, pausing needs an active
    /// consent, resuming needs a paused one.
    public static func refusal(from: ConsentState, to: ConsentState) -> String? {
        switch (from, to) {
        case (.withdrawn, _): "the consent was withdrawn, which is final; the subject must give a new consent"
        case (.expired, _): "the consent has expired; the subject must give a new consent"
        case (.active, .paused), (.paused, .active), (.active, .withdrawn), (.paused, .withdrawn),
            (.notYetValid, .withdrawn):
            nil
        case (.notYetValid, .paused), (.notYetValid, .active): nil
        case (let from, let to) where from == to: "the consent is already \(from.rawValue)"
        default: "a consent cannot go from \(from.rawValue) to \(to.rawValue)"
        }
    }
}

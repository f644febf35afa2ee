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

extension ConsentStatus {
    /// The change to `state` at `moment`, if the rules allow it: only active, paused or withdrawn may be set
    /// (the rest follows from the dates), never before the last change (withdrawal is never retroactive),
    /// and only the transitions ``refusal(from:to:)`` permits. Every store applies exactly these rules.
    public func change(
        to state: ConsentState, at moment: Timestamp, by: String, reason: String?
    ) throws(StoreError) -> ConsentStatusChange {
        guard state == .active || state == .paused || state == .withdrawn else {
            throw StoreError(
                .refused, "a consent can be set active, paused or withdrawn; \(state.rawValue) follows from its dates")
        }
        if let last = history.last, moment < last.at {
            throw StoreError(
                .refused,
                "the change at \(moment) is before the consent's last change at \(last.at); withdrawal never acts retroactively"
            )
        }
        if let refusal = Self.refusal(from: self.state(at: moment), to: state) {
            throw StoreError(.refused, "consent '\(record.id)': \(refusal)")
        }
        return ConsentStatusChange(consent: record.id, state: state, at: moment, by: by, reason: reason)
    }
}

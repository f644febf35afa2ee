/// The lawful basis a request relies on (PIPL Art. 13). Consent rules apply only when the basis is
/// ``consent``; a department acting under its statutory duty needs no consent but must name the duty.
public enum LegalBasis: String, Sendable, Hashable, Codable, CaseIterable {
    /// The subject consented, for exactly this purpose.
    case consent
    /// A statutory duty of the requesting department (履行法定职责).
    case statutoryDuty = "statutory-duty"
    /// A contract with the subject.
    case contract
    /// A public health emergency.
    case publicHealthEmergency = "public-health-emergency"
    /// News reporting or public-opinion supervision in the public interest.
    case publicInterest = "public-interest"
    /// Information the subject disclosed publicly.
    case publiclyDisclosed = "publicly-disclosed"
}

/// Key ids as DESIGN.md defines them: base64url (no padding) of the first 16 bytes of SHA-256 over the
/// SubjectPublicKeyInfo DER of the public key — 22 characters.
public enum KeyID {
    /// The kid of a public key given as SPKI DER.
    public static func of(subjectPublicKeyInfo der: some Collection<UInt8>) -> String {
        Base64URL.encode(Digest.sha256(der).prefix(16))
    }
}

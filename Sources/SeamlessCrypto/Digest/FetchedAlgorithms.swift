import COpenSSL

/// OpenSSL algorithm implementations fetched once per process.
///
/// OpenSSL 3 looks an algorithm up in its provider tables on every call that names it implicitly, which
/// halves small-digest throughput; fetching once and passing the fetched object avoids that.
struct FetchedAlgorithms: @unchecked Sendable {
    // The fetched objects are immutable after fetching and OpenSSL documents them as shareable across
    // threads, hence @unchecked Sendable. They live for the whole process.
    let sha256: OpaquePointer
    let sha512: OpaquePointer
    let sm3: OpaquePointer

    static let shared = FetchedAlgorithms()

    private init() {
        // These algorithms are part of the default provider of every OpenSSL 3 build Seamless supports;
        // without them nothing Seamless does can work, so failing here is a broken installation.
        guard let sha256 = EVP_MD_fetch(nil, "SHA2-256", nil),
            let sha512 = EVP_MD_fetch(nil, "SHA2-512", nil),
            let sm3 = EVP_MD_fetch(nil, "SM3", nil)
        else {
            let reason = OpenSSLErrorQueue.drain() ?? "unknown"
            preconditionFailure("OpenSSL's default provider lacks SHA-256, SHA-512 or SM3: \(reason)")
        }
        self.sha256 = sha256
        self.sha512 = sha512
        self.sm3 = sm3
    }
}

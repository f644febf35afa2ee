import COpenSSL

/// OpenSSL keeps failures in a per-thread queue; every failing call site drains it so that a later,
/// unrelated failure never reports a stale reason.
enum OpenSSLErrorQueue {
    /// Empties the queue and returns the reason of the earliest error, if any.
    static func drain() -> String? {
        var first: String?
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if first == nil {
                first = reasonString(code)
            }
        }
        return first
    }

    /// Forgets whatever an expected failure (a signature that does not verify) left behind.
    static func clear() {
        ERR_clear_error()
    }

    /// A `CryptoError` carrying OpenSSL's reason for the failure that just happened.
    static func error(_ code: CryptoError.Code, _ reason: String) -> CryptoError {
        CryptoError(code, reason, openSSLReason: drain())
    }

    private static func reasonString(_ code: UInt) -> String {
        if let reason = ERR_reason_error_string(code) {
            return String(cString: reason)
        }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

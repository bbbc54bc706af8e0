import Foundation

/// The trained parts of the injection detector: the L2 linear model over hashed
/// n-grams and the L1 signature set.
///
/// The built-in model ships as resources (`Resources/injection/model.bin`, written by
/// tools/train_injection.py, and `signatures.txt`).
public struct InjectionModel: Sendable {
    /// Why a model resource could not be used.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// Stable error codes.
        public struct Code: Sendable, Hashable, CustomStringConvertible {
            fileprivate enum Kind: String, Sendable, Hashable {
                case resourceMissing = "resource_missing"
                case badModel = "bad_model"
                case badSignatures = "bad_signatures"
            }
            fileprivate var kind: Kind
            /// A bundled resource file is absent.
            public static let resourceMissing = Code(kind: .resourceMissing)
            /// The weights file is malformed.
            public static let badModel = Code(kind: .badModel)
            /// The signature file does not parse.
            public static let badSignatures = Code(kind: .badSignatures)
            /// The snake_case code.
            public var description: String { kind.rawValue }
        }

        /// What went wrong.
        public var code: Code
        /// Human-readable detail (names the file and line, never text being scanned).
        public var detail: String
        /// `code: detail`.
        public var description: String { "\(code): \(detail)" }

        /// Equality on `code` only.
        public static func == (lhs: Error, rhs: Error) -> Bool { lhs.code == rhs.code }
        /// Hash on `code` only.
        public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    }

    /// Number of hash bits of the feature space (2^bits weights).
    public let bits: Int
    /// Quantised weights, one per hashed feature: the weight is `scale * q`.
    let weights: [Int8]
    /// The factor that turns a sum of quantised weights back into logit units.
    let scale: Double
    /// Intercept, already shifted to put the default decision at score 0.5.
    let bias: Double
    /// The L1 signature families.
    let signatures: SignatureSet

    /// Builds a model from the bytes of a `model.bin` file (format `ASTINJ02`: magic,
    /// u32 hash bits, u32 weight width 8, f32 bias, f32 scale, 2^bits int8 weights,
    /// little endian) and the text of a signatures file.
    public init(modelData: Data, signatures signatureText: String) throws {
        let header = 8 + 4 + 4 + 4 + 4
        guard modelData.count >= header, modelData.prefix(8).elementsEqual("ASTINJ02".utf8) else {
            throw Error(code: .badModel, detail: "model.bin: missing ASTINJ02 header")
        }
        let bytes = [UInt8](modelData)
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let bits = Int(u32(8))
        guard (8...24).contains(bits) else {
            throw Error(code: .badModel, detail: "model.bin: hash bits \(bits) outside 8...24")
        }
        guard u32(12) == 8 else {
            throw Error(code: .badModel, detail: "model.bin: weight width \(u32(12)) is not 8 bits")
        }
        let dimension = 1 << bits
        guard bytes.count == header + dimension else {
            throw Error(code: .badModel, detail: "model.bin: expected \(header + dimension) bytes, found \(bytes.count)")
        }
        let scale = Double(Float(bitPattern: u32(20)))
        guard scale.isFinite, scale > 0 else {
            throw Error(code: .badModel, detail: "model.bin: weight scale is not a positive number")
        }
        self.bits = bits
        self.bias = Double(Float(bitPattern: u32(16)))
        self.scale = scale
        self.weights = bytes[header...].map { Int8(bitPattern: $0) }
        self.signatures = try SignatureSet(parsing: signatureText, fileName: "signatures.txt")
    }

    /// Builds a model from explicit weights (2^bits of them), a bias and signatures.
    /// The weights are quantised to int8 as the shipped model is (scale = max |w| / 127).
    public init(weights: [Float], bias: Double, signatures signatureText: String) throws {
        let bits = weights.count.trailingZeroBitCount
        guard weights.count > 1, weights.count == 1 << bits else {
            throw Error(code: .badModel, detail: "weights: count \(weights.count) is not a power of two")
        }
        guard weights.allSatisfy(\.isFinite) else {
            throw Error(code: .badModel, detail: "weights: not all finite")
        }
        let largest = Double(weights.map { abs($0) }.max() ?? 0)
        let scale = largest > 0 ? largest / 127 : 1
        self.bits = bits
        self.scale = scale
        self.weights = weights.map { Int8(max(-127, min(127, (Double($0) / scale).rounded()))) }
        self.bias = bias
        self.signatures = try SignatureSet(parsing: signatureText, fileName: "signatures")
    }

    /// The model shipped with the package, loaded once per process.
    public static func builtIn() throws -> InjectionModel {
        try loadedBuiltIn.get()
    }

    private static let loadedBuiltIn: Result<InjectionModel, Error> = {
        do {
            return .success(try loadBuiltIn())
        } catch let error as Error {
            return .failure(error)
        } catch {
            return .failure(Error(code: .resourceMissing, detail: "injection model resources could not be read"))
        }
    }()

    private static func loadBuiltIn() throws -> InjectionModel {
        guard let modelURL = Bundle.module.url(forResource: "model", withExtension: "bin", subdirectory: "Resources/injection")
                ?? Bundle.module.url(forResource: "model", withExtension: "bin", subdirectory: "injection"),
              let signaturesURL = Bundle.module.url(forResource: "signatures", withExtension: "txt", subdirectory: "Resources/injection")
                ?? Bundle.module.url(forResource: "signatures", withExtension: "txt", subdirectory: "injection")
        else {
            throw Error(code: .resourceMissing, detail: "injection/model.bin or injection/signatures.txt not in the bundle")
        }
        do {
            let data = try Data(contentsOf: modelURL)
            let text = try String(contentsOf: signaturesURL, encoding: .utf8)
            return try InjectionModel(modelData: data, signatures: text)
        } catch let error as Error {
            throw error
        } catch {
            throw Error(code: .resourceMissing, detail: "injection model resources could not be read")
        }
    }

    /// The L2 logit of normalised bytes:
    /// bias + scale · (Σ char-gram weights / √n + Σ word-gram weights / √m).
    /// Quantised weights are summed exactly in integers (the Python twin does the same).
    func logit(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        weights.withUnsafeBufferPointer { w in
            let mask = UInt32(w.count - 1)
            var charSum = 0
            var charCount = 0
            // Byte 3-, 4- and 5-grams of " " + text + " ": at each start, hash up to five
            // bytes and add the weights of the 3-, 4- and 5-byte prefixes.
            let n = text.count
            let padded = n + 2
            @inline(__always) func byte(_ i: Int) -> UInt32 {
                i == 0 || i == padded - 1 ? 0x20 : UInt32(text[i - 1])
            }
            if padded >= 5 {
                // Sliding window over the padded bytes; b0...b4 are bytes i...i+4.
                var b0 = byte(0), b1 = byte(1), b2 = byte(2), b3 = byte(3)
                var i = 0
                while i + 4 < padded {
                    let b4 = byte(i + 4)
                    let h3 = ((((FNV.basis ^ b0) &* FNV.prime ^ b1) &* FNV.prime) ^ b2) &* FNV.prime
                    let h4 = (h3 ^ b3) &* FNV.prime
                    let h5 = (h4 ^ b4) &* FNV.prime
                    charSum += Int(w[Int(h3 & mask)]) + Int(w[Int(h4 & mask)]) + Int(w[Int(h5 & mask)])
                    b0 = b1; b1 = b2; b2 = b3; b3 = b4
                    i += 1
                }
                charCount = 3 * i
            }
            // The last four starts (fewer than five bytes left), or all of a short text.
            var i = max(0, padded - 4)
            while i < padded {
                var h = FNV.basis
                let limit = min(5, padded - i)
                var k = 0
                while k < limit {
                    h = (h ^ byte(i + k)) &* FNV.prime
                    if k >= 2 {
                        charSum += Int(w[Int(h & mask)])
                        charCount += 1
                    }
                    k += 1
                }
                i += 1
            }
            // Word unigrams and bigrams.
            var wordSum = 0
            var wordCount = 0
            var pending: UInt32? = nil  // bigram hash state after "previous token + space"
            i = 0
            while i < n {
                guard FNV.isWordByte(text[i]) else { i += 1; continue }
                var uni = FNV.unigramSeed
                var prefix = FNV.bigramSeed
                var bi = pending ?? 0
                while i < n, FNV.isWordByte(text[i]) {
                    let b = UInt32(text[i])
                    uni = (uni ^ b) &* FNV.prime
                    prefix = (prefix ^ b) &* FNV.prime
                    bi = (bi ^ b) &* FNV.prime
                    i += 1
                }
                wordSum += Int(w[Int(uni & mask)])
                wordCount += 1
                if pending != nil {
                    wordSum += Int(w[Int(bi & mask)])
                    wordCount += 1
                }
                pending = (prefix ^ 0x20) &* FNV.prime
            }
            var z = 0.0
            if charCount > 0 { z += Double(charSum) / Double(charCount).squareRoot() }
            if wordCount > 0 { z += Double(wordSum) / Double(wordCount).squareRoot() }
            return bias + z * scale
        }
    }
}

/// FNV-1a 32-bit, the feature hash shared with tools/train_injection.py.
enum FNV {
    static let basis: UInt32 = 2_166_136_261
    static let prime: UInt32 = 16_777_619
    static let unigramSeed: UInt32 = (basis ^ 1) &* prime
    static let bigramSeed: UInt32 = (basis ^ 2) &* prime

    /// Letters, digits, `_` and every byte of a non-ASCII scalar.
    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        b >= 0x80 || b &- 0x30 < 10 || b &- 0x61 < 26 || b &- 0x41 < 26 || b == 0x5F
    }
}

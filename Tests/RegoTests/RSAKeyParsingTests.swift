import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import Rego

/// RSA public keys are read from DER without handing swift-crypto bytes it could reject:
/// its RSA DER initialisers free the key twice on a parse failure, which aborts the process.
@Suite("Builtins: RSA public key parsing")
struct RSAKeyParsingTests {
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    @Test func readsSubjectPublicKeyInfoAndPKCS1() throws {
        let publicKey = Self.rsa.publicKey
        let spki = try #require(JWT.rsaPublicKey(der: Array(publicKey.derRepresentation)))
        #expect(spki.pkcs1DERRepresentation == publicKey.pkcs1DERRepresentation)
        let pkcs1 = try #require(JWT.rsaPublicKey(der: Array(publicKey.pkcs1DERRepresentation)))
        #expect(pkcs1.keySizeInBits == 2048)
    }

    @Test func refusesOtherKeysAndDamagedBytes() {
        let ec = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        #expect(JWT.rsaPublicKey(der: ec) == nil)
        #expect(JWT.rsaPublicKey(der: Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)) == nil)
        var truncated = Array(Self.rsa.publicKey.derRepresentation)
        truncated.removeLast(7)
        #expect(JWT.rsaPublicKey(der: truncated) == nil)
        #expect(JWT.rsaPublicKey(der: []) == nil)
        #expect(JWT.rsaPublicKey(der: [0x30, 0x00]) == nil)
    }

    /// An EC key offered to an RSA verifier is a plain `false`, many times over (this used to abort at random).
    @Test func verifyingWithAnotherKeyTypeIsFalse() throws {
        let token = try #require(try callBuiltin(
            "io.jwt.encode_sign", ["alg": "HS256"], ["sub": "me"], ["kty": "oct", "k": "NDI"]))
        let pem = P256.Signing.PrivateKey().publicKey.pemRepresentation
        for _ in 0..<500 {
            #expect(try callBuiltin("io.jwt.verify_rs256", token, .string(pem)) == false)
        }
    }
}

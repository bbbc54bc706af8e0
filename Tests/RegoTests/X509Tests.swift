import Testing
@testable import Rego

@Suite("Builtins: x509 and private keys")
struct X509Tests {
    // A self-signed test certificate and its key (generated for these tests, valid for 100 years).
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIDhzCCAm+gAwIBAgIUfshFA0IuQtTqeR3KdnHwA7Re0YgwDQYJKoZIhvcNAQEL
BQAwOTELMAkGA1UEBhMCU0UxFDASBgNVBAoMC0FzdHJhbCBUZXN0MRQwEgYDVQQD
DAthc3RyYWwudGVzdDAgFw0yNjExMjIwNjIyMTZaGA8yMTI2MTAyOTA2MjIxNlow
OTELMAkGA1UEBhMCU0UxFDASBgNVBAoMC0FzdHJhbCBUZXN0MRQwEgYDVQQDDAth
c3RyYWwudGVzdDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMN6a4BB
hbHEYkZ3SZH1rEm8oZyL9kdgvW82UN5P5fdJqrTjmtQid4HMFzMj+n6UG/wnS46/
T9SQo8RmiRw3pHTSCbVRbccTDcuin9XNoCAiUgPhIbxif3uCbLMUGCjnum81U6D9
Q3eCfwjxZvWb+QWCBTrWi8dRb5v+29svKKrA1O9V84G9f4NxOb+lrU4lMYamXooP
OBc86nkhSZZxKAPW53OoQ6bsQbFjICFvEnEGXv0tibAdrmLOZoWSkNWuk6gIQMNR
h5FvdFfd9CuYoL7esDcgVbRMXmCdjbD+nwl7ojvFgeyGYImxq5zsIHd6jhdBHXUA
Crysqi4FUjo1pE0CAwEAAaOBhDCBgTAdBgNVHQ4EFgQUmUnF8WEMJ2s2tnZ9WgxQ
+B2Y4wswHwYDVR0jBBgwFoAUmUnF8WEMJ2s2tnZ9WgxQ+B2Y4wswDwYDVR0TAQH/
BAUwAwEB/zAuBgNVHREEJzAlggthc3RyYWwudGVzdIYWc3BpZmZlOi8vYXN0cmFs
LnRlc3QveDANBgkqhkiG9w0BAQsFAAOCAQEAbf97Zli3pmt+GCfLW3Hg9xR0JMls
fpw7zXoF8ZOm2k12fvMF10FG3/lkSth+2hSaBRqXbSqqDsscy35mYp53IVIcD46A
Ob2jOslSAJVoS7ZyThavDL8X0AmfVCKWMcHonr10mjzNAMSCc1uCZ6BbulSoADbY
8vDruUPJ+bimE3JBF961bA3z0/yzLXHkCVOq6e12OdtX2doFgAVLCTnIHKHtZT5F
R0CfCv3K0aFYNLWB645kor6wQEHjsrR88z+QT0YVVfSpbjQQ4veiJ7gcw/TtaEPW
6OZcMgZX93DyIHoVAx03W407aub8vEBNIdz5Nykxsc3bkGZGDSw1N00kEQ==
-----END CERTIFICATE-----
"""
    static let key = """
-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDDemuAQYWxxGJG
d0mR9axJvKGci/ZHYL1vNlDeT+X3Saq045rUIneBzBczI/p+lBv8J0uOv0/UkKPE
ZokcN6R00gm1UW3HEw3Lop/VzaAgIlID4SG8Yn97gmyzFBgo57pvNVOg/UN3gn8I
8Wb1m/kFggU61ovHUW+b/tvbLyiqwNTvVfOBvX+DcTm/pa1OJTGGpl6KDzgXPOp5
IUmWcSgD1udzqEOm7EGxYyAhbxJxBl79LYmwHa5izmaFkpDVrpOoCEDDUYeRb3RX
3fQrmKC+3rA3IFW0TF5gnY2w/p8Je6I7xYHshmCJsauc7CB3eo4XQR11AAq8rKou
BVI6NaRNAgMBAAECggEAB5kEQSOq0d4/cJw10pPBKsuHX4mMHLmcm0w55+4kktA8
75NyIuElEnkvhKgXFiDlFo+jbuyuKmWly94tYZijDnxUbsT3tpddv6a2Pi3kFaOn
2uk+8a7FZDRNS8eR6dMZ6rUgpz74xpYeoGcbmJvDmcx0LhWFMM3QP/ivrG0AkGRl
YaIDU3RPmBiP5eYLCB5zJhHm2weebE1TnbBo0+yjehto/aXFrtB5D379Kzseh8V4
Ia9BE0oWN3Xw1rnkwIJooYDjpuDeoQGeOdwUlFi0yRUAZGJKGpuSfHJtPuXGx3wc
nb4coXY4KHElYlBryoe4qp5YzZffT8YYSM5z6JAoEQKBgQDxcEAc3j2exXWwzRDN
4LvNLvGeDEpJOeEB5RanF7o8/Thbf9cKO7b8w65cqP0yKafzoUE02b32ZvXMB+Oi
82nC3XBVo0K9St2zFl9Db5JUVEeDBWA4+34/qNk6lMTFbBWJhamKPBzQ9v9cfHyd
gmn3XbLiJW6vb3kAKxxk3T7g3QKBgQDPRI3qY+tO3/x9hQRI3H3kbbXqSAEJgVnO
ZXT83JXdAafolT62KAhu90yHJeepXcFfNUrNCBr5yB9tH5D7dhBXGBPLfav/U8kV
DOb9rMuRWxwXUmUVxcbzLI6pwmbBizgbfWD/vzN0UjhRpKnkTAWKAKIdEPA2rffV
1urDzfhiMQKBgQDXT8CNPhB74CJVunrq7yjsEZo91T4GUYx80R1DhCB9NWEmEDro
kFpeze9YCQhLzORPm5X4GNqUvDslaj+yWRsPQcVlScRB5VsS07e+/ufjNonTqV6n
UnjDMsQOvw8/9GS8kKuicHtOS4dtpkLHgL8Zb8EQdktgPqwM32Vh+gCSLQKBgQCv
2BiSv/zV6R/8mcp9ylsgXpfU0QvYNZ6shdUP5lFatFnw8BXJUwN8qWCK1HTLcxho
nvz8ICFKwycuXHaTcKICUhIRNWij8UCLFGww0dXPVz3o52WNaEMW8jmC+sRU9bk/
UUrnDx8nU84mLg5Y+spEP69J+6Hgsg2upWx9fJR7MQKBgQDPNaPnydS3fwRZZU4u
lLpUgOoVrZumVP6h5O597oAdtzdge/zsh/xbBpsQnETFyZlYAzm3hZlTlm8NFxc1
eE+TIS4FftFivF/bLqotWZJNDzh3D1k5CZHx1iKt23Uw9+d7/WB/f8ETbaCxik9Y
jg+L2yN8PLJbK577jNX6grMw8w==
-----END PRIVATE KEY-----
"""

    @Test func parsesCertificatesInGoShape() throws {
        let certs = try #require(try callBuiltin("crypto.x509.parse_certificates", .string(Self.certificate))?.arrayValue)
        #expect(certs.count == 1)
        let cert = try #require(certs.first?.objectValue)
        #expect(cert["Subject"]?.objectValue?["CommonName"] == "astral.test")
        #expect(cert["Subject"]?.objectValue?["Organization"] == ["Astral Test"])
        #expect(cert["DNSNames"] == ["astral.test"])
        #expect(cert["URIStrings"] == ["spiffe://astral.test/x"])
        #expect(cert["Version"] == 3)
        #expect(cert["SignatureAlgorithm"] == 4)
        #expect(cert["PublicKeyAlgorithm"] == 1)
        #expect(cert["PublicKey"]?.objectValue?["E"] == 65537)
        // Base64 of the PEM text is accepted too.
        let b64 = EncodingBuiltins.base64(Array(Self.certificate.utf8))
        #expect(try callBuiltin("crypto.x509.parse_certificates", .string(b64))?.arrayValue?.count == 1)
    }

    @Test func badInputIsReportedLikeGo() {
        #expect(builtinError("crypto.x509.parse_certificates", "YWJj")?.message == "x509: malformed certificate")
        #expect(builtinError("crypto.x509.parse_certificates", "not base64!")?.message.hasPrefix("illegal base64 data at input byte") == true)
    }

    @Test func keyPairsAndPrivateKeys() throws {
        let pair = try #require(try callBuiltin("crypto.x509.parse_keypair", .string(Self.certificate), .string(Self.key))?.objectValue)
        #expect(pair["Certificate"]?.arrayValue?.count == 1)
        let keys = try #require(try callBuiltin("crypto.parse_private_keys", .string(Self.key))?.arrayValue)
        #expect(keys.count == 1)
        #expect(keys.first?.objectValue?["Primes"]?.arrayValue?.count == 2)
        #expect(try callBuiltin("crypto.parse_private_keys", "") == .null)
        #expect(try callBuiltin("crypto.parse_private_keys", "nope") == .array([]))
    }

    @Test func chainVerificationNeedsTwoCertificates() throws {
        let single = try callBuiltin("crypto.x509.parse_and_verify_certificates", .string(Self.certificate))
        #expect(single == .array([.false, .array([])]))
        // The self-signed certificate as its own root verifies.
        // 2030-03-17, inside the certificate's validity.
        let both = try callBuiltin("crypto.x509.parse_and_verify_certificates", .string(Self.certificate + Self.certificate), now: 1_900_000_000_000_000_000)
        #expect(both?.arrayValue?.first == .true)
        // 2023-11-14, before it was issued.
        let early = try callBuiltin("crypto.x509.parse_and_verify_certificates", .string(Self.certificate + Self.certificate))
        #expect(early?.arrayValue?.first == .false)
    }
}

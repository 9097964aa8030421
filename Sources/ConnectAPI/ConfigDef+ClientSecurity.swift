extension ConfigDef {
    /// A copy with the TLS properties Kafka clients accept (Kafka's `withClientSslSupport`).
    /// The key and trust manager defaults are those of a stock JVM (`SunX509`, `PKIX`).
    public func withClientSslSupport() -> ConfigDef {
        self
            .define("ssl.protocol", .string, defaultValue: .string("TLSv1.3"), importance: .medium,
                    documentation: "TLS protocol used to build the SSLContext.")
            .define("ssl.provider", .string, defaultValue: .null, importance: .medium,
                    documentation: "Name of the security provider for TLS connections; the platform default when unset.")
            .define("ssl.cipher.suites", .list, defaultValue: .null, importance: .low,
                    documentation: "Cipher suites allowed for TLS connections; all supported suites when unset.")
            .define("ssl.enabled.protocols", .list, defaultValue: .list(["TLSv1.2", "TLSv1.3"]), importance: .medium,
                    documentation: "TLS protocols enabled for connections.")
            .define("ssl.keystore.type", .string, defaultValue: .string("JKS"), importance: .medium,
                    documentation: "File format of the key store.")
            .define("ssl.keystore.location", .string, defaultValue: .null, importance: .high,
                    documentation: "Path of the key store file, for client authentication.")
            .define("ssl.keystore.password", .password, defaultValue: .null, importance: .high,
                    documentation: "Password of the key store file.")
            .define("ssl.key.password", .password, defaultValue: .null, importance: .high,
                    documentation: "Password of the private key in the key store or in ssl.keystore.key.")
            .define("ssl.keystore.key", .password, defaultValue: .null, importance: .high,
                    documentation: "Private key in PEM format, given inline.")
            .define("ssl.keystore.certificate.chain", .password, defaultValue: .null, importance: .high,
                    documentation: "Certificate chain in PEM format, given inline.")
            .define("ssl.truststore.certificates", .password, defaultValue: .null, importance: .high,
                    documentation: "Trusted certificates in PEM format, given inline.")
            .define("ssl.truststore.type", .string, defaultValue: .string("JKS"), importance: .medium,
                    documentation: "File format of the trust store.")
            .define("ssl.truststore.location", .string, defaultValue: .null, importance: .high,
                    documentation: "Path of the trust store file.")
            .define("ssl.truststore.password", .password, defaultValue: .null, importance: .high,
                    documentation: "Password of the trust store file.")
            .define("ssl.keymanager.algorithm", .string, defaultValue: .string("SunX509"), importance: .low,
                    documentation: "Key manager factory algorithm.")
            .define("ssl.trustmanager.algorithm", .string, defaultValue: .string("PKIX"), importance: .low,
                    documentation: "Trust manager factory algorithm.")
            .define("ssl.endpoint.identification.algorithm", .string, defaultValue: .string("https"), importance: .low,
                    documentation: "How the server host name is checked against its certificate; empty disables the check.")
            .define("ssl.secure.random.implementation", .string, defaultValue: .null, importance: .low,
                    documentation: "SecureRandom implementation used for TLS.")
            .define("ssl.engine.factory.class", .class, defaultValue: .null, importance: .low,
                    documentation: "Plugin that creates SSLEngine objects.")
    }

    /// A copy with the SASL properties Kafka clients accept (Kafka's `withClientSaslSupport`).
    public func withClientSaslSupport() -> ConfigDef {
        self
            .define("sasl.kerberos.service.name", .string, defaultValue: .null, importance: .medium,
                    documentation: "Kerberos principal name the broker runs as.")
            .define("sasl.kerberos.kinit.cmd", .string, defaultValue: .string("/usr/bin/kinit"), importance: .low,
                    documentation: "Path of the kinit command.")
            .define("sasl.kerberos.ticket.renew.window.factor", .double, defaultValue: .double(0.8), importance: .low,
                    documentation: "Fraction of a ticket's lifetime after which renewal is attempted.")
            .define("sasl.kerberos.ticket.renew.jitter", .double, defaultValue: .double(0.05), importance: .low,
                    documentation: "Random jitter added to the Kerberos renewal time, as a fraction.")
            .define("sasl.kerberos.min.time.before.relogin", .long, defaultValue: .long(60_000), importance: .low,
                    documentation: "Minimum milliseconds between Kerberos refresh attempts.")
            .define("sasl.login.refresh.window.factor", .double, defaultValue: .double(0.8),
                    validator: .between(0.5, 1.0), importance: .low,
                    documentation: "Fraction of a credential's lifetime after which the login refresh thread renews it.")
            .define("sasl.login.refresh.window.jitter", .double, defaultValue: .double(0.05),
                    validator: .between(0.0, 0.25), importance: .low,
                    documentation: "Random jitter added to the login refresh time, as a fraction of the lifetime.")
            .define("sasl.login.refresh.min.period.seconds", .short, defaultValue: .short(60),
                    validator: .between(0, 900), importance: .low,
                    documentation: "Minimum seconds the login refresh thread waits before refreshing a credential.")
            .define("sasl.login.refresh.buffer.seconds", .short, defaultValue: .short(300),
                    validator: .between(0, 3600), importance: .low,
                    documentation: "Seconds before a credential expires that a refresh should be attempted.")
            .define("sasl.mechanism", .string, defaultValue: .string("GSSAPI"), importance: .medium,
                    documentation: "SASL mechanism used to authenticate.")
            .define("sasl.jaas.config", .password, defaultValue: .null, importance: .medium,
                    documentation: "JAAS login context for SASL, in the JAAS configuration file format.")
            .define("sasl.client.callback.handler.class", .class, defaultValue: .null, importance: .medium,
                    documentation: "Plugin handling SASL client callbacks.")
            .define("sasl.login.callback.handler.class", .class, defaultValue: .null, importance: .medium,
                    documentation: "Plugin handling SASL login callbacks.")
            .define("sasl.login.class", .class, defaultValue: .null, importance: .medium,
                    documentation: "Plugin implementing the SASL login.")
            .define("sasl.login.connect.timeout.ms", .int, defaultValue: .null, importance: .low,
                    documentation: "Connect timeout of the external login provider, in milliseconds (OAUTHBEARER).")
            .define("sasl.login.read.timeout.ms", .int, defaultValue: .null, importance: .low,
                    documentation: "Read timeout of the external login provider, in milliseconds (OAUTHBEARER).")
            .define("sasl.login.retry.backoff.max.ms", .long, defaultValue: .long(10_000), importance: .low,
                    documentation: "Upper bound of the backoff between login attempts, in milliseconds (OAUTHBEARER).")
            .define("sasl.login.retry.backoff.ms", .long, defaultValue: .long(100), importance: .low,
                    documentation: "Initial backoff between login attempts, in milliseconds (OAUTHBEARER).")
            .define("sasl.oauthbearer.scope.claim.name", .string, defaultValue: .string("scope"), importance: .low,
                    documentation: "Name of the OAuth claim holding the scope.")
            .define("sasl.oauthbearer.sub.claim.name", .string, defaultValue: .string("sub"), importance: .low,
                    documentation: "Name of the OAuth claim holding the subject.")
            .define("sasl.oauthbearer.token.endpoint.url", .string, defaultValue: .null, importance: .medium,
                    documentation: "URL (or file) of the OAuth/OIDC token endpoint.")
            .define("sasl.oauthbearer.jwks.endpoint.url", .string, defaultValue: .null, importance: .medium,
                    documentation: "URL (or file) of the JSON Web Key Set used to verify tokens.")
            .define("sasl.oauthbearer.jwks.endpoint.refresh.ms", .long, defaultValue: .long(3_600_000), importance: .low,
                    documentation: "How often the JWKS cache is refreshed, in milliseconds.")
            .define("sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms", .long, defaultValue: .long(10_000), importance: .low,
                    documentation: "Upper bound of the backoff between JWKS fetch attempts, in milliseconds.")
            .define("sasl.oauthbearer.jwks.endpoint.retry.backoff.ms", .long, defaultValue: .long(100), importance: .low,
                    documentation: "Initial backoff between JWKS fetch attempts, in milliseconds.")
            .define("sasl.oauthbearer.clock.skew.seconds", .int, defaultValue: .int(30), importance: .low,
                    documentation: "Tolerated clock difference with the OAuth provider, in seconds.")
            .define("sasl.oauthbearer.expected.audience", .list, defaultValue: .null, importance: .low,
                    documentation: "Audiences a token must be issued for.")
            .define("sasl.oauthbearer.expected.issuer", .string, defaultValue: .null, importance: .low,
                    documentation: "Issuer a token must come from.")
            .define("sasl.oauthbearer.header.urlencode", .boolean, defaultValue: .boolean(false), importance: .low,
                    documentation: "Whether the OAuth client id and secret are URL-encoded in the authorization header.")
    }
}

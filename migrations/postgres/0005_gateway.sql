-- Gateway: back-channel logouts received from the OpenID provider. Every replica polls this
-- table, so a logout received by one ends the gateway sessions on all of them.
CREATE TABLE gateway_logouts (
    seq BIGSERIAL PRIMARY KEY,
    -- The provider's session id (`sid` of the logout token), when it sent one.
    idp_sid TEXT,
    -- The subject, when the token named one without a session: every earlier session of it ends.
    sub TEXT,
    logged_out_at BIGINT NOT NULL,
    -- After this, no gateway session that the record could end is still valid.
    expires_at BIGINT NOT NULL
);
CREATE INDEX gateway_logouts_at ON gateway_logouts (logged_out_at);

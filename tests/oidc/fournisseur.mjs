// Fournisseur OpenID Connect de test (oidc-provider), lancé par tests/comptes/test_oidc.py sur 127.0.0.1.
// Paramètres par l'environnement : PORT, REDIRECT_URI (rappel de l'application), POST_LOGOUT_URI (retour
// après la déconnexion), CLIENT_ID, CLIENT_SECRET. Interactions de développement (devInteractions) :
// l'identifiant saisi devient le compte ; son adresse électronique est l'identifiant lui-même s'il en a la
// forme, sinon celle du tableau COMPTES. PKCE exigé (S256), déconnexion à l'initiative du client activée.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const COMPTES = {
  'agent.test': { email: 'Agent.Test@Departement.example', email_verified: true },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: [process.env.POST_LOGOUT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['cle-de-test-du-fournisseur-uniquement'] },
  async findAccount(ctx, id) {
    const compte = COMPTES[id] || (id.includes('@') ? { email: id, email_verified: true } : null);
    if (!compte) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...compte }; } };
  },
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PRET http://127.0.0.1:${port}\n`);
});

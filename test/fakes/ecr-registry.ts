// Amazon ECR (private registry, 2025) as documented and reported: Basic auth only, challenged with
// `Basic realm="https://<account>.dkr.ecr.<region>.amazonaws.com/",service="ecr.amazonaws.com"`;
// wrong credentials get a plain-text 401 "Not Authorized"; an expired 12-hour password a plain-text
// 403 (deis/builder#426, aws-cli#2351); an IAM denial names the action
// ("… is not authorized to perform: ecr:InitiateLayerUpload …", users' reports); a push to a
// repository that does not exist is 404 NAME_UNKNOWN (ECR never creates repositories on push).
import { errors, startProductRegistry, text, type FakeOptions, type ProductSpec } from './product-registry.js';

export const ECR_EXPIRED = 'Your authorization token has expired. Reauthenticate and try again.';
export const ECR_ACCOUNT = '123456789012';

export const ecrSpec: ProductSpec = {
  auth: { kind: 'basic', realm: `https://${ECR_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/` },
  basicService: 'ecr.amazonaws.com',
  failedLogin: () => text(401, 'Not Authorized\n'),
  refuse: (why, ctx) => {
    if (why === 'unauthenticated') {
      const notAuthorized = text(401, 'Not Authorized\n');
      return { ...notAuthorized, headers: { ...notAuthorized.headers, 'www-authenticate': ctx.challenge() } };
    }
    if (why === 'expired') return text(403, ECR_EXPIRED);
    if (why === 'missing')
      return errors(
        404,
        'NAME_UNKNOWN',
        `The repository with name '${ctx.repository}' does not exist in the registry with id '${ECR_ACCOUNT}'`,
      );
    const action = ctx.action === 'push' ? 'ecr:InitiateLayerUpload' : 'ecr:BatchGetImage';
    return errors(
      403,
      'DENIED',
      `User: arn:aws:iam::${ECR_ACCOUNT}:user/ci is not authorized to perform: ${action} on resource: ` +
        `arn:aws:ecr:eu-west-1:${ECR_ACCOUNT}:repository/${ctx.repository} because no identity-based policy allows ` +
        `the ${action} action`,
    );
  },
  referrers: 'api',
};

export const startEcrRegistry = (options: FakeOptions) => startProductRegistry(ecrSpec, options);

/** An ECR password as GetAuthorizationToken returns it: base64 of JSON with its `expiration` (epoch seconds). */
export function ecrPassword(expiresAt: Date): string {
  return Buffer.from(
    JSON.stringify({
      payload: 'b3BhcXVlLWVuY3J5cHRlZC1wYXlsb2Fk',
      datakey: 'b3BhcXVlLWRhdGFrZXk=',
      version: '2',
      type: 'DATA_KEY',
      expiration: Math.floor(expiresAt.getTime() / 1000),
    }),
  ).toString('base64');
}

/**
 * The test process talks to the local stack's moto and dynalite, as a command run with `--local` does:
 * the AWS SDK's default credential chain reads process.env, so the stack's test credentials and region
 * go there (values already set win). Loaded before every test file by .mocharc.json.
 */
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../src/stack/endpoints.ts';

process.env.AWS_ACCESS_KEY_ID ??= LOCAL_AWS_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_AWS_CREDENTIALS.secretAccessKey;
process.env.AWS_REGION ??= LOCAL_AWS_REGION;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

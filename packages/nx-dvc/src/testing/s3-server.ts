/** The S3-compatible test server, the same helper the e2e tests use (this folder is not part of the build). */
export { S3_ACCESS_KEY, startS3Server, type S3Faults, type S3Request, type S3Server, type S3ServerOptions } from '../../../../tools/support/s3-server';

/** Real DVC for unit specs, the same helper the e2e tests use (this folder is not part of the build). */
export { dvc, dvcOk, dvcOkAsync, realDvcPath, skipWithoutDvc, skipWithoutDvcS3 } from '../../../../tools/support/real-dvc';

/** Real DVC for unit specs, the same helper the e2e tests use (this folder is not part of the build). */
export { dvc, dvcOk, realDvcPath, skipWithoutDvc } from '../../../../tools/support/real-dvc';

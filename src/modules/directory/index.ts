export { DirectoryService } from './directory.service';
export { DirectoryResolver } from './directory.resolver';
export { ScimService } from './scim/scim-service';

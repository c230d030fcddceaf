export { DirectoryService } from './directory.service';
export { DirectoryResolver } from './directory.resolver';

import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Length,
  Min,
} from 'class-validator';
import { DATA_CATEGORIES, type DataCategory } from '@throughline/domain';

export class BreakGlassRequest {
  @ApiProperty({
    minLength: 20,
    maxLength: 2000,
    description: 'Why emergency access is needed now; the IG lead reviews it',
  })
  @IsString()
  @Length(20, 2000)
  justification!: string;

  @ApiProperty({ enum: DATA_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DATA_CATEGORIES.length)
  @ArrayUnique()
  @IsIn(DATA_CATEGORIES, { each: true })
  categories!: DataCategory[];

  @ApiProperty({ minimum: 1, description: 'At most the partnership limit (breakGlass.maxMinutes)' })
  @IsInt()
  @Min(1)
  minutes!: number;
}
